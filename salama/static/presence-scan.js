// Household cards scanned with the camera of a phone or tablet, in the browser.
// The browser's own BarcodeDetector is used where it exists (Chrome on Android);
// elsewhere the vendored jsQR decodes frames drawn on a canvas. A code found is
// put in the card-code field and the form is sent (htmx shows the members).
// Without a camera or without script, the code printed on the card is typed.
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var video = document.getElementById("scan-video");
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var status = document.getElementById("scan-status");
  var form = document.getElementById("card-code-form");
  var input = document.getElementById("id_code");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var detector = null;
  var stream = null;
  var last = "";
  var lastAt = 0;
  var busy = false;

  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }

  function decodeFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      }, function () { detector = null; return decodeFrame(); });
    }
    if (!window.jsQR || !video.videoWidth) return Promise.resolve(null);
    var scale = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(found ? found.data : null);
  }

  function found(code) {
    var now = Date.now();
    if (code === last && now - lastAt < 4000) return;  // the same card held in view
    last = code; lastAt = now;
    input.value = code;
    status.textContent = status.dataset.found || "✓";
    if (navigator.vibrate) navigator.vibrate(80);
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function tick() {
    if (!stream) return;
    if (!busy && video.readyState >= 2) {
      busy = true;
      decodeFrame().then(function (code) {
        busy = false;
        if (code) found(code);
      }, function () { busy = false; });
    }
    window.setTimeout(tick, 150);
  }

  function begin() {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        status.textContent = "";
        return video.play();
      })
      .then(tick)
      .catch(function () {
        status.textContent = root.dataset.noCamera || "";
        start.hidden = false;
      });
  }

  function end() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  start.hidden = false;
  start.addEventListener("click", begin);
  stop.addEventListener("click", end);
  window.addEventListener("pagehide", end);
  // Tests and tools can decode one frame on demand.
  root.decodeOnce = decodeFrame;
})();
