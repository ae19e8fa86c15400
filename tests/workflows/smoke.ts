// Tiny workflows that prove the two real servers work: a long timer, and a signal round trip.
import { condition, defineQuery, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export async function sleepsForAMonth(): Promise<number> {
  const start = Date.now();
  await sleep('30 days');
  return Date.now() - start;
}

export const greet = defineSignal<[string]>('greet');
export const greeting = defineQuery<string | null>('greeting');

export async function waitsForAGreeting(): Promise<string> {
  let received: string | null = null;
  setHandler(greet, (name) => void (received = name));
  setHandler(greeting, () => received);
  await condition(() => received !== null);
  return `你好, ${received}`;
}
