/**
 * Runs Walrus's lifecycle rules: once at start-up, then every hour (S3 too acts on them in the
 * background, not at the moment an object turns old enough).
 */
import type { Walrus } from './walrus';

export const LIFECYCLE_SWEEP_MS = 3600 * 1000;

export function startLifecycleSweeps(walrus: Walrus, log: (line: string) => void, everyMs = LIFECYCLE_SWEEP_MS): () => void {
  const sweep = () => {
    try {
      const { expired, aborted } = walrus.applyLifecycle();
      if (expired || aborted) log(`walrus lifecycle: ${expired} object(s) expired, ${aborted} multipart upload(s) aborted`);
    } catch (e) {
      log(`walrus lifecycle sweep failed: ${(e as Error).message}`);
    }
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
