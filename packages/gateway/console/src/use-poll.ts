/**
 * A hook that loads data now and again every `intervalMs` while the page is
 * shown, keeping the last good answer when a later one fails (the error is
 * shown beside it). Polls stop when the component unmounts; a request still
 * in flight then is aborted.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './api.ts';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** Load again now (after a change the page made). */
  reload: () => void;
}

export function usePoll<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number | null,
  deps: readonly unknown[],
  onData?: (data: T) => void,
): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const onDataRef = useRef(onData);
  onDataRef.current = onData;
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async (): Promise<void> => {
      try {
        const value = await load(controller.signal);
        if (controller.signal.aborted) return;
        setData(value);
        setError(null);
        onDataRef.current?.(value);
      } catch (caught) {
        if (controller.signal.aborted) return;
        setError(errorText(caught));
      }
      if (intervalMs !== null && !controller.signal.aborted) timer = setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);

  return { data, error, reload };
}
