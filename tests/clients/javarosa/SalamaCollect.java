// A field client built on JavaRosa, the form engine of ODK Collect (from the
// ODK_Validate.jar that ships in pyxform). It does what Collect does: fetch
// the form list with Digest authentication, download a form and check its
// MD5 against the list, fill it through FormEntryController (relevance,
// required and constraints evaluated by JavaRosa), serialise the instance,
// HEAD the submission URL, then POST the multipart body in chunked mode.
//
// java SalamaCollect BASE_URL USER PASSWORD FORM_ID ANSWERS_FILE
// ANSWERS_FILE: lines "name=value"; prints the server's status and body.

import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.MessageDigest;
import java.util.*;
import java.util.regex.*;

import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.SelectChoice;
import org.javarosa.core.model.data.IntegerData;
import org.javarosa.core.model.data.SelectOneData;
import org.javarosa.core.model.data.StringData;
import org.javarosa.core.model.data.helper.Selection;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.Constants;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.xform.util.XFormUtils;

public class SalamaCollect {
    static String user, password;

    public static void main(String[] args) throws Exception {
        String base = args[0];
        user = args[1];
        password = args[2];
        String formId = args[3];
        Map<String, String> answers = new HashMap<>();
        for (String line : Files.readAllLines(Paths.get(args[4]), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) answers.put(line.substring(0, eq), line.substring(eq + 1));
        }
        String list = new String(get(base + "/formList"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<formID>" + Pattern.quote(formId) + "</formID>.*?<hash>md5:([0-9a-f]+)</hash>.*?<downloadUrl>([^<]+)</downloadUrl>", Pattern.DOTALL).matcher(list);
        if (!m.find()) throw new IllegalStateException("form not in the form list: " + formId);
        byte[] xform = get(m.group(2));
        String md5 = hex(MessageDigest.getInstance("MD5").digest(xform));
        if (!md5.equals(m.group(1))) throw new IllegalStateException("hash mismatch " + md5 + " != " + m.group(1));

        FormDef form = XFormUtils.getFormFromInputStream(new ByteArrayInputStream(xform));
        form.initialize(true, new InstanceInitializationFactory());
        FormEntryController controller = new FormEntryController(new FormEntryModel(form));
        int answered = 0;
        for (int event = controller.stepToNextEvent(); event != FormEntryController.EVENT_END_OF_FORM; event = controller.stepToNextEvent()) {
            if (event != FormEntryController.EVENT_QUESTION) continue;
            FormEntryPrompt prompt = controller.getModel().getQuestionPrompt();
            String name = form.getChildInstanceRef(prompt.getIndex()).getNameLast();
            String value = answers.get(name);
            if (value == null) continue;
            int status;
            if (prompt.getControlType() == Constants.CONTROL_SELECT_ONE) {
                SelectChoice choice = null;
                for (SelectChoice c : prompt.getSelectChoices()) if (c.getValue().equals(value)) choice = c;
                if (choice == null) throw new IllegalStateException(name + ": no choice " + value);
                status = controller.answerQuestion(new SelectOneData(new Selection(choice)), true);
            } else if (prompt.getDataType() == Constants.DATATYPE_INTEGER) {
                status = controller.answerQuestion(new IntegerData(Integer.parseInt(value)), true);
            } else {
                status = controller.answerQuestion(new StringData(value), true);
            }
            if (status != FormEntryController.ANSWER_OK) throw new IllegalStateException(name + ": answer refused (" + status + ")");
            answered++;
        }
        form.postProcessInstance();
        byte[] instance = new XFormSerializingVisitor().serializeInstance(form.getInstance());
        System.err.println("answered " + answered + " questions; instance " + instance.length + " bytes");

        String submission = base + "/submission";
        HttpURLConnection head = open(submission, "HEAD", null);
        if (head.getResponseCode() == 401) head = open(submission, "HEAD", head.getHeaderField("WWW-Authenticate"));
        if (head.getResponseCode() != 204) throw new IllegalStateException("HEAD answered " + head.getResponseCode());
        String challenge = lastChallenge;
        String boundary = "----salama" + UUID.randomUUID();
        HttpURLConnection post = open(submission, "POST", challenge);
        post.setDoOutput(true);
        post.setChunkedStreamingMode(1024);  // as Collect streams large bodies
        post.setRequestProperty("Content-Type", "multipart/form-data; boundary=" + boundary);
        try (OutputStream out = post.getOutputStream()) {
            String part = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\nContent-Type: text/xml\r\n\r\n";
            out.write(part.getBytes(StandardCharsets.UTF_8));
            out.write(instance);
            out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        }
        int code = post.getResponseCode();
        InputStream body = code >= 400 ? post.getErrorStream() : post.getInputStream();
        System.out.println(code);
        System.out.println(post.getHeaderField("X-OpenRosa-Version"));
        System.out.println(new String(body.readAllBytes(), StandardCharsets.UTF_8));
    }

    static String lastChallenge;
    static int nc = 0;

    static byte[] get(String url) throws Exception {
        HttpURLConnection c = open(url, "GET", null);
        if (c.getResponseCode() == 401) c = open(url, "GET", c.getHeaderField("WWW-Authenticate"));
        if (c.getResponseCode() != 200) throw new IllegalStateException(url + " answered " + c.getResponseCode());
        if (!"1.0".equals(c.getHeaderField("X-OpenRosa-Version"))) throw new IllegalStateException("no X-OpenRosa-Version on " + url);
        return c.getInputStream().readAllBytes();
    }

    static HttpURLConnection open(String url, String method, String challenge) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setRequestMethod(method);
        c.setRequestProperty("X-OpenRosa-Version", "1.0");
        c.setInstanceFollowRedirects(false);
        if (challenge != null) {
            lastChallenge = challenge;
            c.setRequestProperty("Authorization", digest(challenge, method, new URL(url).getFile()));
        }
        return c;
    }

    static String digest(String challenge, String method, String uri) throws Exception {
        Map<String, String> p = new HashMap<>();
        Matcher m = Pattern.compile("(\\w+)=\"?([^\",]*)\"?").matcher(challenge.substring(challenge.indexOf(' ') + 1));
        while (m.find()) p.put(m.group(1), m.group(2));
        String cnonce = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String count = String.format("%08x", ++nc);
        String ha1 = md5(user + ":" + p.get("realm") + ":" + password);
        String ha2 = md5(method + ":" + uri);
        String response = md5(ha1 + ":" + p.get("nonce") + ":" + count + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + p.get("realm") + "\", nonce=\"" + p.get("nonce") + "\", uri=\"" + uri
            + "\", qop=auth, nc=" + count + ", cnonce=\"" + cnonce + "\", response=\"" + response + "\", opaque=\"" + p.get("opaque") + "\", algorithm=MD5";
    }

    static String md5(String s) throws Exception {
        return hex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x));
        return sb.toString();
    }
}
