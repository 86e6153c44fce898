// The channel header icon: a speech bubble with an exclamation mark, drawn in the current text colour.
export function TriggerWordsIcon() {
    return (
        <span className='tw-header-icon' aria-hidden='true'>
            <svg width='18' height='18' viewBox='0 0 24 24' focusable='false'>
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
        </span>
    );
}
