/** Global keyboard shortcuts: ? help, / search, [ ] and Alt+←/→ history, c copy link, Escape closes. */
import { useEffect } from 'react';
import { useStore } from '../store';
import { copyShareLink } from '../share/actions';

function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

export function useShortcuts({
  openHelp,
  closeHelp,
  helpOpen,
  focusSearch,
}: {
  openHelp: () => void;
  closeHelp: () => void;
  helpOpen: boolean;
  focusSearch: () => boolean;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      if (e.key === 'Escape') {
        if (helpOpen) {
          closeHelp();
          e.preventDefault();
        }
        return;
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
        e.preventDefault();
        if (e.key === 'ArrowLeft') useStore.getState().back();
        else useStore.getState().forward();
        return;
      }
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '?') {
        e.preventDefault();
        if (helpOpen) closeHelp();
        else openHelp();
      } else if (e.key === '/') {
        if (focusSearch()) e.preventDefault();
      } else if (e.key === 'c') {
        if (useStore.getState().state) {
          e.preventDefault();
          void copyShareLink();
        }
      } else if (e.key === '[') {
        e.preventDefault();
        useStore.getState().back();
      } else if (e.key === ']') {
        e.preventDefault();
        useStore.getState().forward();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openHelp, closeHelp, helpOpen, focusSearch]);
}
