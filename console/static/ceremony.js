// 抽取见证 in the witness's browser (ssj-draw/2, DRAW-SPEC section 11): the salt and, unless the
// witness types their own, the entropy are made HERE with the browser's CSPRNG, the commitment is
// computed here, and only the commitment is sent. Salt and entropy stay in this browser's
// localStorage (in the `ssj witness commit` file format) and can be downloaded or written down;
// the reveal sends them. No inline script (strict CSP): this file is served by the console.
'use strict';
(function () {
  var PREFIX = 'ssj-witness:';
  var HEX64 = /^[0-9a-f]{64}$/;
  var SALT = /^[0-9a-f]{32}$/;
  var ENTROPY = /^[0-9A-Za-z]{16,128}$/;
  var ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

  function randomSalt() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
  }
  /** 32 characters of [0-9A-Za-z], uniformly (rejection sampling: 62 * 4 = 248 < 256). */
  function randomEntropy() {
    var out = '';
    while (out.length < 32) {
      var b = new Uint8Array(64);
      crypto.getRandomValues(b);
      for (var i = 0; i < b.length && out.length < 32; i++) if (b[i] < 248) out += ALPHABET[b[i] % 62];
    }
    return out;
  }

  // SHA-256: WebCrypto where the page is a secure context (https, or the console on loopback);
  // otherwise the small implementation below (crypto.subtle is absent on plain http elsewhere).
  function sha256Hex(text) {
    var bytes = new TextEncoder().encode(text);
    if (window.crypto && crypto.subtle && window.isSecureContext) {
      return crypto.subtle.digest('SHA-256', bytes).then(hex);
    }
    return Promise.resolve(hex(sha256Fallback(bytes)));
  }
  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
  }
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];
  function sha256Fallback(msg) {
    var len = msg.length;
    var padded = new Uint8Array(((len + 9 + 63) >> 6) << 6);
    padded.set(msg);
    padded[len] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 4, len * 8);
    view.setUint32(padded.length - 8, Math.floor(len / 0x20000000));
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var off = 0; off < padded.length; off += 64) {
      for (var t = 0; t < 16; t++) w[t] = view.getUint32(off + t * 4);
      for (t = 16; t < 64; t++) {
        var a15 = w[t - 15], a2 = w[t - 2];
        var s0 = ((a15 >>> 7) | (a15 << 25)) ^ ((a15 >>> 18) | (a15 << 14)) ^ (a15 >>> 3);
        var s1 = ((a2 >>> 17) | (a2 << 15)) ^ ((a2 >>> 19) | (a2 << 13)) ^ (a2 >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var A = h[0], B = h[1], C = h[2], D = h[3], E = h[4], F = h[5], G = h[6], H = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7));
        var t1 = (H + S1 + ((E & F) ^ (~E & G)) + K[t] + w[t]) | 0;
        var S0 = ((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10));
        var t2 = (S0 + ((A & B) ^ (A & C) ^ (B & C))) | 0;
        H = G; G = F; F = E; E = (D + t1) | 0; D = C; C = B; B = A; A = (t1 + t2) | 0;
      }
      h = [(h[0] + A) | 0, (h[1] + B) | 0, (h[2] + C) | 0, (h[3] + D) | 0, (h[4] + E) | 0, (h[5] + F) | 0, (h[6] + G) | 0, (h[7] + H) | 0];
    }
    var out = new DataView(new ArrayBuffer(32));
    h.forEach(function (x, i) { out.setUint32(i * 4, x >>> 0); });
    return out.buffer;
  }

  /** DRAW-SPEC section 11, rule 3. */
  function commitmentOf(digest, role, person, salt, entropy) {
    return sha256Hex('ssj-draw/2 commit|' + digest + '|' + role + ':' + person + ':' + salt + ':' + entropy);
  }

  function saved(commitment) {
    try {
      var s = JSON.parse(localStorage.getItem(PREFIX + commitment) || 'null');
      return s && s.commitment === commitment ? s : null;
    } catch (e) {
      return null;
    }
  }
  function save(secret) {
    try {
      localStorage.setItem(PREFIX + secret.commitment, JSON.stringify(secret));
      return saved(secret.commitment) !== null;
    } catch (e) {
      return false;
    }
  }
  /** The file name `ssj witness commit` uses, so the file can be given to `ssj witness reveal --secret-file`. */
  function fileName(s) {
    return s.campaignId + '.c' + s.ceremony + '.' + s.role + '.' + s.personId + '.json';
  }
  function downloadLink(secret) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(secret, null, 2) + '\n'], { type: 'application/json' }));
    a.download = fileName(secret);
    a.className = 'button ceremony-download';
    a.textContent = '下载备份文件';
    return a;
  }
  function showError(form, text) {
    var p = form.querySelector('.ceremony-js-error');
    if (p) {
      p.textContent = text;
      p.hidden = !text;
    }
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Step 2: make the secret, keep it, send only the commitment.
  document.querySelectorAll('form.ceremony-commit').forEach(function (form) {
    var button = form.querySelector('button[data-needs-script]');
    if (!window.crypto || !crypto.getRandomValues) return; // the button stays disabled; <noscript>-like advice is on the page
    button.disabled = false;
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var d = form.dataset;
      var typed = form.querySelector('.ceremony-entropy').value.trim();
      if (typed && !ENTROPY.test(typed)) return showError(form, '自选随机数须为16至128位字母或数字（不含空格和符号）。');
      var entropy = typed || randomEntropy();
      var salt = randomSalt();
      button.disabled = true;
      commitmentOf(d.digest, d.role, d.person, salt, entropy).then(function (commitment) {
        var secret = {
          kind: 'ssj-draw/2 witness secret',
          campaignId: d.campaign,
          ceremony: Number(d.ceremony),
          manifestDigest: d.digest,
          role: d.role,
          personId: d.person,
          salt: salt,
          entropy: entropy,
          commitment: commitment,
        };
        // The secret is kept before the commitment leaves: a committed witness can always reveal.
        if (!save(secret)) {
          var a = downloadLink(secret);
          document.body.appendChild(a);
          a.click();
          if (!window.confirm('浏览器无法保存盐值和随机数（可能处于隐私模式）。已开始下载备份文件，请确认文件已保存后再继续提交。')) {
            button.disabled = false;
            return;
          }
        }
        form.querySelector('input[name=commitment]').value = commitment;
        form.querySelector('.ceremony-entropy').value = '';
        form.submit();
      }, function () {
        button.disabled = false;
        showError(form, '浏览器无法计算承诺值，请改用命令行 ssj witness commit。');
      });
    });
  });

  // The backup: the secret as the witness's file and as a code to write down.
  document.querySelectorAll('.ceremony-backup').forEach(function (box) {
    var secret = saved(box.dataset.commitment);
    var missing = box.querySelector('.ceremony-backup-missing');
    if (!secret) {
      missing.textContent =
        '本浏览器中没有与此承诺值对应的盐值和随机数。如您在其他浏览器或用命令行 ssj witness commit 提交，请在那里揭示，或揭示时载入备份文件、输入备份码。';
      return;
    }
    missing.textContent = '盐值和随机数保存在本浏览器中（未发送给服务器）。请下载备份文件或抄录备份码妥善保管，揭示前不要给任何人看。';
    var dl = el('dl', 'ceremony-code');
    dl.appendChild(el('dt', '', '盐值'));
    dl.appendChild(el('dd', 'code', secret.salt));
    dl.appendChild(el('dt', '', '随机数'));
    dl.appendChild(el('dd', 'code', secret.entropy));
    box.appendChild(dl);
    box.appendChild(downloadLink(secret));
    var print = el('button', 'secondary ceremony-print', '打印备份码');
    print.type = 'button';
    print.addEventListener('click', function () { window.print(); });
    box.appendChild(print);
  });

  // Step 3: the reveal sends the kept salt and entropy (from this browser, a file, or typed in).
  document.querySelectorAll('form.ceremony-reveal').forEach(function (form) {
    var d = form.dataset;
    var salt = form.querySelector('input[name=salt]');
    var entropy = form.querySelector('input[name=entropy]');
    function fill(secret) {
      salt.value = secret.salt;
      entropy.value = secret.entropy;
      form.querySelector('.ceremony-found').hidden = false;
      showError(form, '');
    }
    var secret = saved(d.commitment);
    if (secret) fill(secret);
    form.querySelector('.ceremony-file').addEventListener('change', function (ev) {
      var file = ev.target.files && ev.target.files[0];
      if (!file) return;
      file.text().then(function (text) {
        var s;
        try {
          s = JSON.parse(text);
        } catch (e) {
          return showError(form, '所选文件不是见证人备份文件（无法解析）。');
        }
        if (!s || s.commitment !== d.commitment) return showError(form, '所选备份文件不是本次仪式您的承诺值对应的文件，请核对。');
        fill(s);
      });
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var sv = salt.value.trim().toLowerCase();
      var ev2 = entropy.value.trim();
      if (!SALT.test(sv) || !ENTROPY.test(ev2)) {
        form.querySelector('details').open = true;
        return showError(form, '请载入备份文件或输入备份码：盐值为32位十六进制字符，随机数为16至128位字母或数字。');
      }
      commitmentOf(d.digest, d.role, d.person, sv, ev2).then(function (c) {
        if (!HEX64.test(c) || c !== d.commitment) return showError(form, '盐值和随机数与您提交的承诺值不一致，请核对备份码。');
        salt.value = sv;
        entropy.value = ev2;
        form.submit();
      });
    });
  });

  // Revealed and accepted: the secret has done its work (it is published with the draw record).
  document.querySelectorAll('.ceremony-mine[data-revealed=yes]').forEach(function (box) {
    try {
      localStorage.removeItem(PREFIX + box.dataset.commitment);
    } catch (e) {
      /* nothing kept */
    }
  });
})();
