// A field client built on ODK Web Forms' engine (@getodk/xforms-engine), in
// Node with jsdom: fetch the form list with Digest authentication, download
// a form and check its MD5, fill it through the engine (which evaluates
// relevance, required and constraints), build the submission payload the
// engine prepares for Enketo-style web clients, and POST it.
//
// node client.mjs BASE_URL USER PASSWORD FORM_ID ANSWERS_JSON_FILE
// Prints the server's status, X-OpenRosa-Version and body, one per line.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const [base, user, password, formId, answersFile] = process.argv.slice(2);
const answers = JSON.parse(readFileSync(answersFile, 'utf8'));

const dom = new JSDOM('<!doctype html><html><body></body></html>');
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (!(name in globalThis) && /^[A-Z]|^document$|^window$/.test(name)) {
    globalThis[name] = dom.window[name];
  }
}
globalThis.window ??= dom.window;
// The engine's bundled tree-sitter (emscripten) reads __dirname under Node,
// which ES modules lack; the WASM itself is inlined, so any directory will do.
globalThis.__dirname ??= process.cwd();
globalThis.document ??= dom.window.document;
const { createInstance } = await import('@getodk/xforms-engine');

const md5 = (text) => createHash('md5').update(text).digest('hex');
let nc = 0;
function digest(challenge, method, url) {
  const params = Object.fromEntries(
    [...challenge.slice(challenge.indexOf(' ') + 1).matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]])
  );
  const uri = new URL(url).pathname + new URL(url).search;
  const cnonce = randomBytes(8).toString('hex');
  const count = (++nc).toString(16).padStart(8, '0');
  const ha1 = md5(`${user}:${params.realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${params.nonce}:${count}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${params.realm}", nonce="${params.nonce}", uri="${uri}", qop=auth, nc=${count}, cnonce="${cnonce}", response="${response}", opaque="${params.opaque}", algorithm=MD5`;
}

async function request(url, method, body) {
  const headers = { 'X-OpenRosa-Version': '1.0' };
  let response = await fetch(url, { method: method === 'POST' ? 'HEAD' : method, headers });
  if (response.status === 401) {
    headers.Authorization = digest(response.headers.get('www-authenticate'), method, url);
    response = await fetch(url, { method, headers, body });
  } else if (method === 'POST') {
    throw new Error(`HEAD before POST answered ${response.status}`);
  }
  if (response.headers.get('x-openrosa-version') !== '1.0') throw new Error(`no X-OpenRosa-Version on ${url}`);
  return response;
}

const list = await (await request(`${base}/formList`, 'GET')).text();
const entry = [...list.matchAll(/<xform>(.*?)<\/xform>/gs)].map((m) => m[1]).find((x) => x.includes(`<formID>${formId}</formID>`));
if (!entry) throw new Error(`form not in the form list: ${formId}`);
const hash = entry.match(/<hash>md5:([0-9a-f]+)<\/hash>/)[1];
const downloadUrl = entry.match(/<downloadUrl>([^<]+)<\/downloadUrl>/)[1];
const formBytes = Buffer.from(await (await request(downloadUrl, 'GET')).arrayBuffer());
if (md5(formBytes) !== hash) throw new Error('hash mismatch');

const instance = await createInstance(formBytes.toString('utf8'));
const root = instance.root;
function* walk(node) {
  yield node;
  for (const child of node.currentState.children ?? []) yield* walk(child);
}
let answered = 0;
for (const [name, value] of Object.entries(answers)) {
  // Answer in form order; relevance changes as answers are given.
  const node = [...walk(root)].find((n) => n.currentState.reference?.split('/').pop() === name);
  if (!node) throw new Error(`${name}: not in the form`);
  if (!node.currentState.relevant) throw new Error(`${name}: not relevant given earlier answers`);
  if (node.nodeType === 'select') node.selectValue(value);
  else if (node.nodeType === 'input') node.setValue(node.valueType === 'int' ? Number(value) : value);
  else throw new Error(`${name}: cannot answer a ${node.nodeType}`);
  answered++;
}
const payload = await root.prepareInstancePayload();
if (payload.status !== 'ready') {
  throw new Error(`payload ${payload.status}: ${JSON.stringify(payload.violations?.map((v) => v.reference))}`);
}
console.error(`answered ${answered}; instanceID ${payload.submissionMeta?.instanceID ?? '?'}`);
const response = await request(`${base}/submission`, 'POST', payload.data[0]);
console.log(response.status);
console.log(response.headers.get('x-openrosa-version'));
console.log(await response.text());
