// A modal dialog: role=dialog, focus moved in on open and back out on close, Tab and Shift+Tab kept inside,
// Escape and a click on the backdrop close it.
import {useLayoutEffect, useRef, type KeyboardEvent, type MouseEvent, type ReactNode} from 'react';

const FOCUSABLE = [
    'a[href]',
    'button:not([disabled])',
    'input:not([disabled])',
    'select:not([disabled])',
    'textarea:not([disabled])',
    '[tabindex]:not([tabindex="-1"])',
].join(',');

export function focusableIn(root: HTMLElement): HTMLElement[] {
    return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.closest('[aria-hidden="true"]'));
}

interface Props {
    labelledBy: string;
    describedBy?: string;
    onClose(): void;
    children: ReactNode;
}

export function Dialog({labelledBy, describedBy, onClose, children}: Props) {
    const ref = useRef<HTMLDivElement>(null);
    const onCloseRef = useRef(onClose);
    onCloseRef.current = onClose;

    // A layout effect, so that on close the focus is back on the opener in the same task on every host React:
    // React 17 runs the cleanups of plain effects later, leaving the focus on <body> in between.
    useLayoutEffect(() => {
        const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        const dialog = ref.current;
        if (dialog && !dialog.contains(document.activeElement)) {
            dialog.focus();
        }
        // Focus that lands outside (a click on the page behind, a host shortcut) is brought back.
        const onFocusIn = (e: FocusEvent) => {
            const d = ref.current;
            if (d && e.target instanceof Node && !d.contains(e.target)) {
                (focusableIn(d)[0] ?? d).focus();
            }
        };
        document.addEventListener('focusin', onFocusIn);
        return () => {
            document.removeEventListener('focusin', onFocusIn);
            if (previous && previous.isConnected) {
                previous.focus();
            }
        };
    }, []);

    const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
        if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onCloseRef.current();
            return;
        }
        if (e.key !== 'Tab' || !ref.current) {
            return;
        }
        const items = focusableIn(ref.current);
        if (items.length === 0) {
            e.preventDefault();
            return;
        }
        const first = items[0]!;
        const last = items[items.length - 1]!;
        const active = document.activeElement;
        if (e.shiftKey && (active === first || active === ref.current)) {
            e.preventDefault();
            last.focus();
        } else if (!e.shiftKey && (active === last || active === ref.current)) {
            e.preventDefault();
            first.focus();
        }
    };

    const onBackdrop = (e: MouseEvent<HTMLDivElement>) => {
        if (e.target === e.currentTarget) {
            onCloseRef.current();
        }
    };

    return (
        <div className='tw-backdrop' onMouseDown={onBackdrop}>
            <div
                ref={ref}
                className='tw-dialog'
                role='dialog'
                aria-modal='true'
                aria-labelledby={labelledBy}
                aria-describedby={describedBy}
                tabIndex={-1}
                onKeyDown={onKeyDown}
            >
                {children}
            </div>
        </div>
    );
}
