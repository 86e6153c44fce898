// The trigger words panel: the user's words for one channel (chips, an input, snooze) and, one link away,
// every channel where they have words.
import {useCallback, useEffect, useLayoutEffect, useRef, useState, type ChangeEvent, type KeyboardEvent} from 'react';

import {ApiError, type ChannelWords, type ChannelWordsSummary, type SnoozeDuration, type TriggerWordsApi} from '../api';
import {formatSnoozeUntil, t} from '../i18n';
import {useUniqueId} from '../unique_id';
import {normalizeWord, parseAll, splitFinished, type Token} from '../parse';
import {css} from '../styles';

import {Dialog} from './dialog';

interface Props {
    api: TriggerWordsApi;
    channelId: string;
    channelName: string;
    onClose(): void;
}

type Status = 'idle' | 'saving' | 'saved';
type ErrorPlace = 'input' | 'snooze' | 'all';
interface Errors {
    place: ErrorPlace;
    lines: string[];
}
interface FocusRequest {
    view: 'channel' | 'all';
    index: number;
}

/** The messages to show for a failed call, server wording first (API.md's `details`, then `error`). */
export function errorLines(e: unknown): string[] {
    if (!(e instanceof ApiError)) {
        return [t('error.unexpected', {status: '?'})];
    }
    switch (e.status) {
    case 0:
        return [t('error.network')];
    case 403:
        return [t('error.forbidden')];
    case 404:
        return [t('error.notFound')];
    case 503:
        return [t('error.unavailable')];
    default:
        if (e.details.length > 0) {
            return e.details.map((d) => d.message);
        }
        return [e.serverMessage ?? t('error.unexpected', {status: e.status})];
    }
}

const SNOOZE_CHOICES: Array<{value: SnoozeDuration; text: 'snooze.1h' | 'snooze.8h' | 'snooze.tomorrow' | 'snooze.off'; label: 'snooze.1h.label' | 'snooze.8h.label' | 'snooze.tomorrow.label' | 'snooze.off.label'}> = [
    {value: '1h', text: 'snooze.1h', label: 'snooze.1h.label'},
    {value: '8h', text: 'snooze.8h', label: 'snooze.8h.label'},
    {value: 'tomorrow', text: 'snooze.tomorrow', label: 'snooze.tomorrow.label'},
    {value: 'off', text: 'snooze.off', label: 'snooze.off.label'},
];

function appendRemainder(remainder: string, current: string): string {
    const r = remainder.trim();
    const c = current.trim();
    if (!r) {
        return current;
    }
    return c ? `${r}, ${c}` : r;
}

export function TriggerWordsPanel({api, channelId, channelName, onClose}: Props) {
    const ids = useUniqueId();
    const titleId = `${ids}-title`;
    const inputId = `${ids}-input`;
    const hintId = `${ids}-hint`;
    const inputErrorId = `${ids}-input-error`;

    const [view, setView] = useState<'channel' | 'all'>('channel');
    const [data, setData] = useState<ChannelWords | null>(null);
    const [loadError, setLoadError] = useState<string[] | null>(null);
    const [all, setAll] = useState<ChannelWordsSummary[] | null>(null);
    const [allError, setAllError] = useState<string[] | null>(null);
    const [input, setInput] = useState('');
    const [errors, setErrors] = useState<Errors | null>(null);
    const [status, setStatus] = useState<Status>('idle');
    const [focusRequest, setFocusRequest] = useState<FocusRequest | null>(null);

    const dataRef = useRef<ChannelWords | null>(null);
    const queue = useRef<Promise<unknown>>(Promise.resolve());
    const pending = useRef(0);
    const batchFailed = useRef(false);
    const inputRef = useRef<HTMLInputElement>(null);
    const chipsRef = useRef<HTMLUListElement>(null);
    const allRef = useRef<HTMLDivElement>(null);
    const backRef = useRef<HTMLButtonElement>(null);
    const focusInputOnLoad = useRef(true);

    const updateData = useCallback((next: ChannelWords) => {
        dataRef.current = next;
        setData(next);
    }, []);

    const load = useCallback(async () => {
        setLoadError(null);
        try {
            updateData(await api.getChannelWords(channelId));
        } catch (e) {
            setLoadError(errorLines(e));
        }
    }, [api, channelId, updateData]);

    useEffect(() => {
        void load();
    }, [load]);

    // Once the words are in, the input takes the focus (the dialog had it while loading).
    useEffect(() => {
        if (data && focusInputOnLoad.current) {
            focusInputOnLoad.current = false;
            inputRef.current?.focus();
        }
    }, [data]);

    // After a removal, focus goes to the chip that took the removed one's place, else the previous one,
    // else the input (channel view) or the back button (all words).
    useLayoutEffect(() => {
        if (!focusRequest) {
            return;
        }
        const container = focusRequest.view === 'channel' ? chipsRef.current : allRef.current;
        const buttons = container ? Array.from(container.querySelectorAll<HTMLButtonElement>('button[data-remove]')) : [];
        const target = buttons[Math.min(focusRequest.index, buttons.length - 1)];
        if (target) {
            target.focus();
        } else if (focusRequest.view === 'channel') {
            inputRef.current?.focus();
        } else {
            backRef.current?.focus();
        }
        setFocusRequest(null);
    }, [focusRequest, data, all]);

    /** Runs writes one after another; the status says Saving… until the last one ends, then Saved unless one failed. */
    const run = useCallback((op: () => Promise<boolean>) => {
        if (pending.current === 0) {
            batchFailed.current = false;
        }
        pending.current++;
        setStatus('saving');
        const next = queue.current.then(op).catch(() => false).then((ok) => {
            if (!ok) {
                batchFailed.current = true;
            }
            pending.current--;
            if (pending.current === 0) {
                setStatus(batchFailed.current ? 'idle' : 'saved');
            }
        });
        queue.current = next;
        return next;
    }, []);

    const addTokens = useCallback((text: string, tokens: Token[]) => {
        if (tokens.length === 0) {
            return;
        }
        setErrors(null);
        void run(async () => {
            for (const token of tokens) {
                const current = dataRef.current;
                if (!current) {
                    return false;
                }
                const key = normalizeWord(token.text);
                const fail = (lines: string[]) => {
                    setErrors({place: 'input', lines});
                    const remainder = text.slice(token.start);
                    setInput((cur) => appendRemainder(remainder, cur));
                    return false;
                };
                if (current.words.some((w) => normalizeWord(w) === key)) {
                    return fail([t('error.duplicate', {word: token.text})]);
                }
                try {
                    updateData(await api.addWord(channelId, token.text));
                } catch (e) {
                    // A 409 is the same mistake as a duplicate caught here, so it reads the same and names the word.
                    const conflict = e instanceof ApiError && e.status === 409;
                    return fail(conflict ? [t('error.duplicate', {word: token.text})] : errorLines(e));
                }
            }
            return true;
        });
    }, [api, channelId, run, updateData]);

    const onInputChange = (e: ChangeEvent<HTMLInputElement>) => {
        const value = e.target.value;
        const {done, doneText, rest} = splitFinished(value);
        if (doneText === null) {
            setInput(value);
            return;
        }
        setInput(rest.trimStart());
        addTokens(doneText, done);
    };

    const submit = () => {
        const text = input;
        const tokens = parseAll(text);
        setInput('');
        if (tokens.length === 0) {
            return;
        }
        addTokens(text, tokens);
    };

    const onInputKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
        if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
        }
    };

    const removeFromChannel = (word: string, index: number) => {
        setErrors(null);
        void run(async () => {
            try {
                updateData(await api.removeWord(channelId, word));
                setFocusRequest({view: 'channel', index});
                return true;
            } catch (e) {
                setErrors({place: 'input', lines: errorLines(e)});
                if (e instanceof ApiError && e.status === 404) {
                    void load();
                }
                return false;
            }
        });
    };

    const snooze = (duration: SnoozeDuration) => {
        setErrors(null);
        void run(async () => {
            try {
                updateData(await api.snooze(channelId, duration));
                return true;
            } catch (e) {
                setErrors({place: 'snooze', lines: errorLines(e)});
                return false;
            }
        });
    };

    const loadAll = useCallback(async () => {
        setAllError(null);
        try {
            setAll(await api.getAllWords());
        } catch (e) {
            setAllError(errorLines(e));
        }
    }, [api]);

    const showAll = () => {
        setErrors(null);
        setAll(null);
        setView('all');
        void loadAll();
    };

    const showChannel = () => {
        setErrors(null);
        setView('channel');
    };

    // Moving between the views moves the focus to the new view's first control.
    const firstViewRender = useRef(true);
    useEffect(() => {
        if (firstViewRender.current) {
            firstViewRender.current = false;
            return;
        }
        if (view === 'all') {
            backRef.current?.focus();
        } else {
            inputRef.current?.focus();
        }
    }, [view]);

    const removeFromAll = (channel: ChannelWordsSummary, word: string, flatIndex: number) => {
        setErrors(null);
        void run(async () => {
            try {
                const next = await api.removeWord(channel.channel_id, word);
                setAll((list) => (list ?? [])
                    .map((c) => (c.channel_id === channel.channel_id ? {...c, words: next.words} : c))
                    .filter((c) => c.words.length > 0));
                if (channel.channel_id === channelId) {
                    updateData(next);
                }
                setFocusRequest({view: 'all', index: flatIndex});
                return true;
            } catch (e) {
                setErrors({place: 'all', lines: errorLines(e)});
                if (e instanceof ApiError && e.status === 404) {
                    void loadAll();
                }
                return false;
            }
        });
    };

    const statusText = status === 'saving' ? t('status.saving') : status === 'saved' ? t('status.saved') : '';
    const errorBlock = (place: ErrorPlace, id?: string) => (
        <div id={id} className='tw-error' role='alert' aria-live='assertive'>
            {errors?.place === place ? errors.lines.map((line, i) => <p key={i}>{line}</p>) : null}
        </div>
    );

    const snoozedUntil = data?.snoozed_until != null && data.snoozed_until > Date.now() ? data.snoozed_until : null;

    const channelView = () => {
        if (loadError) {
            return (
                <div className='tw-body'>
                    <div className='tw-error' role='alert'>{loadError.map((l, i) => <p key={i}>{l}</p>)}</div>
                    <div><button type='button' className='tw-button-secondary' onClick={() => void load()}>{t('dialog.retry')}</button></div>
                </div>
            );
        }
        if (!data) {
            return <div className='tw-body' aria-busy='true'><p>{t('dialog.loading')}</p></div>;
        }
        const hasError = errors?.place === 'input';
        return (
            <div className='tw-body'>
                <div>
                    <label className='tw-label' htmlFor={inputId}>{t('input.label')}</label>
                    <div className='tw-input-row'>
                        <input
                            ref={inputRef}
                            id={inputId}
                            className='tw-input'
                            type='text'
                            value={input}
                            placeholder={t('input.placeholder')}
                            autoComplete='off'
                            spellCheck={false}
                            aria-describedby={`${hintId} ${inputErrorId}`}
                            aria-invalid={hasError ? 'true' : 'false'}
                            onChange={onInputChange}
                            onKeyDown={onInputKeyDown}
                        />
                        <button type='button' className='tw-button' onClick={submit}>{t('input.add')}</button>
                    </div>
                    {errorBlock('input', inputErrorId)}
                    <p id={hintId} className='tw-hint'>{t('input.hint')}</p>
                </div>
                {data.words.length === 0 ? (
                    <div className='tw-empty'>
                        <h3 className='tw-empty-title'>{t('words.empty.title')}</h3>
                        <p>{t('words.empty.body')}</p>
                    </div>
                ) : (
                    <div>
                        <ul ref={chipsRef} className='tw-chips' aria-label={t('words.listLabel')}>
                            {data.words.map((word, index) => (
                                <li key={word} className='tw-chip'>
                                    <span className='tw-chip-text'>{word}</span>
                                    <button
                                        type='button'
                                        className='tw-chip-remove'
                                        data-remove=''
                                        aria-label={t('words.remove', {word})}
                                        onClick={() => removeFromChannel(word, index)}
                                    >
                                        <span aria-hidden='true'>×</span>
                                    </button>
                                </li>
                            ))}
                        </ul>
                        <p className='tw-count'>{t('words.count', {count: data.words.length, max: data.limits.max_words})}</p>
                    </div>
                )}
                <fieldset className='tw-snooze'>
                    <legend className='tw-snooze-legend'>{t('snooze.legend')}</legend>
                    <p className='tw-snooze-status'>
                        {snoozedUntil === null ? t('snooze.off.status') : t('snooze.on.status', {time: formatSnoozeUntil(snoozedUntil)})}
                    </p>
                    <div className='tw-snooze-buttons'>
                        {SNOOZE_CHOICES.map((c) => (
                            <button key={c.value} type='button' className='tw-button-secondary' aria-label={t(c.label)} onClick={() => snooze(c.value)}>
                                {t(c.text)}
                            </button>
                        ))}
                    </div>
                    {errorBlock('snooze')}
                </fieldset>
            </div>
        );
    };

    const allView = () => {
        let flat = 0;
        let content;
        if (allError) {
            content = (
                <>
                    <div className='tw-error' role='alert'>{allError.map((l, i) => <p key={i}>{l}</p>)}</div>
                    <div><button type='button' className='tw-button-secondary' onClick={() => void loadAll()}>{t('dialog.retry')}</button></div>
                </>
            );
        } else if (!all) {
            content = <p>{t('dialog.loading')}</p>;
        } else if (all.length === 0) {
            content = <div className='tw-empty'><p>{t('all.empty')}</p></div>;
        } else {
            content = (
                <div ref={allRef}>
                    {all.map((c) => {
                        const name = c.display_name || c.channel_name;
                        const headingId = `${ids}-ch-${c.channel_id}`;
                        return (
                            <section key={c.channel_id} className='tw-channel' aria-labelledby={headingId}>
                                <h3 id={headingId} className='tw-channel-name'>
                                    {name}
                                    {c.team_name ? <span className='tw-team'>{t('all.team', {team: c.team_name})}</span> : null}
                                </h3>
                                <ul className='tw-chips' aria-label={t('all.channelLabel', {channel: name})}>
                                    {c.words.map((word) => {
                                        const index = flat++;
                                        return (
                                            <li key={word} className='tw-chip'>
                                                <span className='tw-chip-text'>{word}</span>
                                                <button
                                                    type='button'
                                                    className='tw-chip-remove'
                                                    data-remove=''
                                                    aria-label={t('all.remove', {word, channel: name})}
                                                    onClick={() => removeFromAll(c, word, index)}
                                                >
                                                    <span aria-hidden='true'>×</span>
                                                </button>
                                            </li>
                                        );
                                    })}
                                </ul>
                            </section>
                        );
                    })}
                </div>
            );
        }
        return (
            <div className='tw-body' aria-busy={!all && !allError ? 'true' : undefined}>
                <div>
                    <button ref={backRef} type='button' className='tw-link' onClick={showChannel}>
                        <span aria-hidden='true'>← </span>{t('all.back')}
                    </button>
                </div>
                {errorBlock('all')}
                {content}
            </div>
        );
    };

    return (
        <Dialog labelledBy={titleId} onClose={onClose}>
            <style>{css}</style>
            <div className='tw-header'>
                <div className='tw-header-text'>
                    <h2 id={titleId} className='tw-title'>{view === 'channel' ? t('dialog.title') : t('dialog.titleAll')}</h2>
                    {view === 'channel' && channelName ? <p className='tw-subtitle'>{t('dialog.subtitle', {channel: channelName})}</p> : null}
                </div>
                <button type='button' className='tw-icon-button' aria-label={t('dialog.close')} onClick={onClose}>
                    <span aria-hidden='true'>×</span>
                </button>
            </div>
            {view === 'channel' ? channelView() : allView()}
            <div className='tw-footer'>
                {view === 'channel' ? (
                    <button type='button' className='tw-link' onClick={showAll}>{t('all.link')}</button>
                ) : <span/>}
                <span className='tw-status' role='status' aria-live='polite'>{statusText}</span>
            </div>
        </Dialog>
    );
}
