// The 公示 page (index.html of the disclosure package) in real Chromium at a phone's width
// (390 px) and a desktop's (1280 px): the page itself never scrolls sideways; a table too wide
// for the screen scrolls inside its own box, its last column heading reachable there. Full-page
// screenshots in test-output/publication/ (look at them by hand).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDisclosurePackage } from '../files/publication';
import { vectorPublicationInput } from './fixtures/publication-input';
import { launchChromium } from '../scripts/browser';

const SHOTS = path.resolve(__dirname, '..', 'test-output', 'publication');

let tmp: string;
let browser: Browser;
let indexUrl: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-page-phone-'));
  await writeDisclosurePackage(vectorPublicationInput('city'), tmp);
  indexUrl = pathToFileURL(path.join(tmp, 'index.html')).href;
  browser = await launchChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Where a table's last column heading is: on screen, or inside a box that scrolls sideways to it. */
interface LastHeading {
  text: string;
  /** The heading lies within the viewport's width. */
  onScreen: boolean;
  /** The nearest ancestor with overflow-x auto or scroll, if any. */
  scroller: { overflowX: string; reaches: boolean; fitsPage: boolean } | null;
}

const LAST_HEADING = `(selector) => {
  const th = document.querySelector(selector + ' thead tr th:last-child');
  if (!th) return null;
  const r = th.getBoundingClientRect();
  const vw = document.documentElement.clientWidth;
  let box = th.parentElement, scroller = null;
  while (box && box !== document.documentElement) {
    const ox = getComputedStyle(box).overflowX;
    if (ox === 'auto' || ox === 'scroll') {
      const b = box.getBoundingClientRect();
      scroller = {
        overflowX: ox,
        // The heading's right edge is within what the box scrolls over.
        reaches: r.right - b.left + box.scrollLeft <= box.scrollWidth + 1,
        fitsPage: b.left >= 0 && b.right <= vw + 0.5,
      };
      break;
    }
    box = box.parentElement;
  }
  return { text: th.textContent, onScreen: r.left >= 0 && r.right <= vw + 0.5, scroller };
}`;

describe('index.html (公示 page) at phone and desktop widths', () => {
  it('has no script (static page)', () => {
    expect(fs.readFileSync(path.join(tmp, 'index.html'), 'utf8')).not.toMatch(/<script/i);
  });

  for (const [w, h] of [[390, 844], [1280, 900]] as const) {
    it(`at ${w}x${h}: no page-level horizontal overflow; the summary's and results' last headings are reachable`, async () => {
      const page = await browser.newPage({ viewport: { width: w, height: h } });
      try {
        await page.goto(indexUrl);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        await page.screenshot({ path: path.join(SHOTS, `index-${w}.png`), fullPage: true });
        expect(overflow, `page-level horizontal overflow at ${w}px`).toBe(0);

        for (const [table, last] of [['.summary', '调整执法人员'], ['.results', '抽取情况']] as const) {
          const at = (await page.evaluate(`(${LAST_HEADING})(${JSON.stringify(table)})`)) as LastHeading | null;
          expect(at, `${table} has a last column heading`).not.toBeNull();
          expect(at!.text).toBe(last);
          if (!at!.onScreen) {
            // Off screen: it must be inside a box that scrolls sideways, the box itself on the page.
            expect(at!.scroller, `${table}'s last heading is off screen at ${w}px and not in a scroll box`).not.toBeNull();
            expect(at!.scroller!.reaches).toBe(true);
            expect(at!.scroller!.fitsPage).toBe(true);
          }
        }
        if (w === 1280) {
          // Desktop: the summary fits as before, with nothing to scroll.
          const summary = (await page.evaluate(`(${LAST_HEADING})('.summary')`)) as LastHeading;
          expect(summary.onScreen).toBe(true);
        }
      } finally {
        await page.close();
      }
    });
  }
});
