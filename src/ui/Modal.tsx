import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog>: showModal() gives the top layer, a
 * focus trap and an inert page behind it for free. Escape and a click on the
 * backdrop close it; focus returns to where it was.
 */
export function Modal({ title, onClose, children, labelId = 'modal-title' }: { title: string; onClose: () => void; children: ReactNode; labelId?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const prev = document.activeElement as HTMLElement | null;
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    dialog.focus();
    return () => {
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
      prev?.focus?.();
    };
  }, []);
  useEffect(() => {
    // Escape is the dialog's, not the page's: the search box or a panel must not also act on it.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      e.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={labelId}
      tabIndex={-1}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      // The dialog box itself is only reached outside its content: on the backdrop.
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}
    >
      <div className="modal-inner">
        <div className="modal-head">
          <h2 id={labelId}>{title}</h2>
          <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </dialog>
  );
}
