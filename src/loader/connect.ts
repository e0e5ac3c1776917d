/**
 * Puts what the worker client reports about loads into the page's stores:
 * the trace store's load lifecycle and the bundle picker. The client knows
 * neither store; main.tsx connects them once.
 */
import { useStore } from '../store';
import { traceClient, type LoadEvent, type TraceClient } from '../worker/client';
import { clearPicker, setPickerOpen, usePickerStore } from './pickerStore';

export function applyLoadEvent(e: LoadEvent): void {
  const store = useStore.getState();
  switch (e.type) {
    case 'begin':
      store.beginLoad({ label: e.label });
      return;
    case 'progress':
      store.setLoadProgress(e.progress);
      return;
    case 'choose':
      usePickerStore.setState({ source: 'scan', scanId: e.choice.scanId, label: e.choice.label, groups: e.choice.groups, open: true });
      return;
    case 'choiceClosed':
      // A new load ends a dropped folder's list (its files go); the served list stays, closed, for the header to reopen.
      if (usePickerStore.getState().source === 'served') setPickerOpen(false);
      else clearPicker();
      return;
    case 'choiceHidden':
      setPickerOpen(false);
      return;
    case 'finished':
      store.finishLoad(e.result);
      return;
    case 'hash':
      store.setBundleHash(e.hash);
      return;
    case 'failed':
      store.failLoad({ label: e.label, error: e.error, keeps: e.keeps });
      return;
    case 'cancelled':
      store.cancelLoad();
      return;
    case 'live':
      store.applyLive(e.live);
      return;
  }
}

/** Connects the client's loads to the stores; returns the disconnect. */
export function connectLoadsToStores(client: Pick<TraceClient, 'subscribe'> = traceClient): () => void {
  return client.subscribe(applyLoadEvent);
}
