// verify.js's entry point, bundled by build.ts: reads the folder verify.html sits in and shows
// check.ts's steps. Over http(s) it fetches the published files themselves; from file:// (where
// Chromium refuses fetch) it loads the verify-data.js copy beside it, or the files the visitor
// picks or drops. Only textContent is ever set from data: nothing read is parsed as HTML.
import { type FolderSource, type Reporter, type Status, type Verdict, verifyFolder } from './check';
import { VERIFY_DATA_FILE, type VerifyData, sumsLine, verifyDataScript } from './data-file';

// The few DOM shapes this file uses (the project compiles without the DOM library; these
// declarations stay local to this module).
interface El {
  textContent: string | null;
  className: string;
  hidden: boolean;
  appendChild(child: El): El;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, fn: (ev: any) => void): void;
  files?: ArrayLike<PickedFile> | null;
}
interface PickedFile {
  name: string;
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}
declare const document: { body: El; head: El; createElement(tag: string): El & { src?: string; onload?: () => void; onerror?: () => void }; getElementById(id: string): El | null };
declare const location: { protocol: string; href: string };

function el(tag: string, cls: string, text?: string): El {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const MARK: Record<Status, string> = { ok: '✓', fail: '✗', info: '·', warn: '!' };

function domReporter(steps: El): Reporter {
  let list: El | null = null;
  return {
    section(title, intro) {
      const s = el('section', 'step');
      s.appendChild(el('h2', '', title));
      s.appendChild(el('p', 'intro', intro));
      list = s.appendChild(el('ol', 'lines'));
      steps.appendChild(s);
    },
    line(status, text, figure) {
      const li = el('li', status);
      li.appendChild(el('span', 'mark', MARK[status]));
      const body = li.appendChild(el('span', 'text', text));
      if (figure) body.appendChild(el('code', 'figure', figure));
      (list ?? steps).appendChild(li);
    },
  };
}

function showVerdict(v: Verdict, seconds: number, fromCopy = false): void {
  const box = document.getElementById('verdict') as El;
  box.className = `verdict ${v.verified ? 'verified' : 'failed'}`;
  box.textContent = '';
  const passed = fromCopy
    ? `复核通过：随页附带的副本（${VERIFY_DATA_FILE}）中的抽取记录、名单调整和公示名单与按公开规则重新计算的结果一致。`
    : '复核通过：抽取记录、名单调整和公示名单（results.csv）与按公开规则重新计算的结果一致。';
  box.appendChild(el('strong', '', v.verified ? passed : '复核未通过：发现不一致。'));
  // What the pass does not cover (a missing draw-time notice, files not read from disk, unit names): said beside it.
  if (v.warnings.length) {
    box.appendChild(el('p', 'warnings-title', '请注意，以下内容本页未能核对：'));
    const list = box.appendChild(el('ul', 'warnings'));
    for (const w of v.warnings) list.appendChild(el('li', '', w));
  }
  if (v.difference) box.appendChild(el('p', 'difference', v.difference));
  if (v.technical) box.appendChild(el('p', 'technical', `技术说明（与 ssj verify 的输出相同）：${v.technical}`));
  box.appendChild(el('p', 'timing', `本次复核在您的浏览器中完成，用时 ${seconds.toFixed(2)} 秒。`));
  document.body.setAttribute('data-verification', v.verified ? 'verified' : 'failed');
  document.body.setAttribute('data-seconds', seconds.toFixed(3));
}

async function run(src: FolderSource): Promise<void> {
  const steps = document.getElementById('steps') as El;
  steps.textContent = '';
  const started = performance.now();
  const verdict = await verifyFolder(src, domReporter(steps));
  showVerdict(verdict, (performance.now() - started) / 1000, !src.complete);
  // From the copy: the files on disk can still be checked, by picking the folder.
  if (!src.complete) offerPicker('以上核对的是随页附带的副本。如需核对磁盘上的公示文件本身，请选择该文件夹。', false);
}

async function fetchBytes(path: string): Promise<Uint8Array | null> {
  const res = await fetch(path);
  if (!res.ok) return null;
  return new Uint8Array(await res.arrayBuffer());
}

/** Over http(s): the published files themselves, by relative URL (so nothing outside the folder). */
async function httpSource(): Promise<FolderSource> {
  const sums = await fetchBytes('SHA256SUMS');
  if (!sums) throw new Error('无法读取本目录中的 SHA256SUMS');
  const path = (p: string): string => p.split('/').map(encodeURIComponent).join('/');
  return { how: '本页从网站上读取了本目录中公布的文件本身。', sums: new TextDecoder().decode(sums), read: (p) => fetchBytes(path(p)), complete: true };
}

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** From file://: verify-data.js, whose own bytes are rebuilt here to give its SHA256SUMS line. */
async function dataSource(data: VerifyData): Promise<FolderSource> {
  const script = new TextEncoder().encode(verifyDataScript(data));
  const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', script)), (b) => b.toString(16).padStart(2, '0')).join('');
  return {
    how: `本页是从本地磁盘打开的，浏览器不允许网页直接读取磁盘上的其他文件，因此读取的是同目录下 ${VERIFY_DATA_FILE} 中的副本，并逐一核对其指纹。`,
    sums: data.sums,
    read: async (p) => (p in data.files ? base64Bytes(data.files[p] as string) : null),
    selfLine: sumsLine(digest, VERIFY_DATA_FILE),
    complete: false,
  };
}

/** Files the visitor picked (the folder, or its files) or dropped. */
async function pickedSource(files: ArrayLike<PickedFile>): Promise<FolderSource> {
  const byPath = new Map<string, PickedFile>();
  for (const f of Array.from(files)) {
    const rel = f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1).join('/') : f.name;
    byPath.set(rel, f);
  }
  const find = (p: string): PickedFile | undefined => byPath.get(p) ?? byPath.get(p.split('/').pop() as string);
  const sums = find('SHA256SUMS');
  if (!sums) throw new Error('所选文件中没有 SHA256SUMS，请选择整个公示文件夹');
  return {
    how: '本页读取的是您选择的文件。',
    complete: true,
    sums: new TextDecoder().decode(await sums.arrayBuffer()),
    read: async (p) => {
      const f = find(p);
      return f ? new Uint8Array(await f.arrayBuffer()) : null;
    },
  };
}

function fail(message: string): void {
  showVerdict({ verified: false, difference: message, technical: null, warnings: [] }, 0);
}

function offerPicker(reason: string, awaiting = true): void {
  const box = document.getElementById('picker') as El;
  box.hidden = false;
  (document.getElementById('picker-reason') as El).textContent = reason;
  const input = document.getElementById('picker-input') as El;
  const use = (files: ArrayLike<PickedFile> | null | undefined): void => {
    if (!files || files.length === 0) return;
    pickedSource(files).then(run, (e: Error) => fail(e.message));
  };
  input.addEventListener('change', () => use(input.files));
  document.body.addEventListener('dragover', (ev) => ev.preventDefault());
  document.body.addEventListener('drop', (ev) => {
    ev.preventDefault();
    use(ev.dataTransfer?.files);
  });
  if (awaiting) (document.getElementById('verdict') as El).textContent = '请选择公示文件夹，以便复核。';
}

function start(): void {
  if (location.protocol === 'http:' || location.protocol === 'https:') {
    httpSource().then(run, (e: Error) => fail(`${e.message}。`));
    return;
  }
  // file://: load the copy beside this page (a plain <script>, which Chromium allows).
  const s = document.createElement('script');
  s.src = VERIFY_DATA_FILE;
  s.onload = () => {
    const data = (globalThis as { SSJ_VERIFY_DATA?: VerifyData }).SSJ_VERIFY_DATA;
    if (data) dataSource(data).then(run, (e: Error) => fail(e.message));
    else offerPicker(`${VERIFY_DATA_FILE} 内容不完整。`);
  };
  s.onerror = () => offerPicker(`本目录中没有 ${VERIFY_DATA_FILE}。`);
  document.head.appendChild(s);
}

start();
