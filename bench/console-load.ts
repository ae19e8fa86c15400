// The load generator of bench:console, in its own process (forked by bench/console.ts): on a
// 2-core machine the clients then have a core of their own instead of taking the server's event
// loop, so the figures are the server's. Receives one job at a time over IPC, answers latencies.
export interface LoadJob {
  url: string;
  /** GET this path (unless `posts`). */
  pathname: string;
  /** One cookie header per signed-in user ([] for anonymous); request n uses sessions[n % length]. */
  sessions: string[];
  /** Instead of GETs: request n POSTs posts[n]'s fields as multipart/form-data, in order, as a browser sends a form. */
  posts?: { pathname: string; fields: [string, string][] }[];
  concurrency: number;
  total: number;
  /** The answer a request must get, else the run fails (a bench of error pages measures nothing). */
  expectStatus: number;
  expectText?: string;
  /** Count other answers as failures (reported with their status and first words) instead of ending the run. */
  countFailures?: boolean;
}

export interface LoadResult {
  p50: number;
  p95: number;
  perSecond: number;
  /** With countFailures: how many requests got another answer, and the first few of them. */
  failures: number;
  failureSamples: string[];
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const failureSamples: string[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.total) {
        const n = next++;
        const headers: Record<string, string> = job.sessions.length ? { cookie: job.sessions[n % job.sessions.length]! } : {};
        const post = job.posts?.[n];
        let body: FormData | undefined;
        if (post) {
          body = new FormData();
          for (const [name, value] of post.fields) body.append(name, value);
        }
        const pathname = post?.pathname ?? job.pathname;
        const t0 = performance.now();
        const res = await fetch(`${job.url}${pathname}`, { method: post ? 'POST' : 'GET', headers, body, redirect: 'manual' });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        if (res.status !== job.expectStatus || (job.expectText && !text.includes(job.expectText))) {
          failures++;
          const title = /<title>([^<]*)<\/title>/.exec(text)?.[1] ?? text.slice(0, 80);
          if (failureSamples.length < 3) failureSamples.push(`HTTP ${res.status} ${title}`);
          if (job.countFailures) continue;
          throw new Error(`${pathname} request ${n}: HTTP ${res.status}, expected ${job.expectStatus}${job.expectText ? ` with "${job.expectText}"` : ''}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { p50: pct(50), p95: pct(95), perSecond: job.total / seconds, failures, failureSamples };
}

if (process.send) {
  process.on('disconnect', () => process.exit(0)); // the bench ended, or died
  process.on('message', (job: LoadJob) => {
    runLoad(job).then(
      (result) => process.send!({ result }),
      (err: Error) => process.send!({ error: err.stack ?? String(err) }),
    );
  });
}
