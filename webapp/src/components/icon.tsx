// The channel header icon (hosts without an App Bar): a speech bubble with an exclamation mark, drawn in the
// current text colour, with its name in text for screen readers. Inline styles, because the panel's
// stylesheet is on the page only while the panel is open.
import type {CSSProperties} from 'react';

import {t} from '../i18n';

const visuallyHidden: CSSProperties = {
    position: 'absolute',
    width: 1,
    height: 1,
    padding: 0,
    margin: -1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
    border: 0,
};

export function TriggerWordsIcon() {
    return (
        <span style={{display: 'inline-flex', verticalAlign: 'middle'}}>
            <svg width='18' height='18' viewBox='0 0 24 24' focusable='false' aria-hidden='true'>
                <path
                    d='M5 3.5h14A2.5 2.5 0 0 1 21.5 6v9a2.5 2.5 0 0 1-2.5 2.5H10l-5 4v-4a2.5 2.5 0 0 1-2.5-2.5V6A2.5 2.5 0 0 1 5 3.5z'
                    fill='none'
                    stroke='currentColor'
                    strokeWidth='2'
                    strokeLinejoin='round'
                />
                <path d='M12 7v4.5' stroke='currentColor' strokeWidth='2' strokeLinecap='round'/>
                <circle cx='12' cy='14.5' r='1.25' fill='currentColor'/>
            </svg>
            <span style={visuallyHidden}>{t('header.tooltip')}</span>
        </span>
    );
}
