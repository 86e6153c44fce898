// A post arrives: who gets an alert, and the DM they get. Server round trips are what the time goes into on
// a real server, so they are few (test/unit/alerts/notifier.test.ts counts them):
// - every post: one tiny KV read (the channel's version stamp; posts arriving while one is in flight share
//   the next); the channel's document (words and snoozes) is read only when the stamp moved, on whichever
//   server notices first, and the matcher rebuilt only when the words themselves changed (not for a snooze);
// - a post that matches: one call for the users (author and recipients) and one for the recipients'
//   memberships, checked when the post arrives, whatever their number, started while the stamp is still
//   being read (see matchEarly); the channel's and team's names come from a one-minute cache;
// - each alert: one compare-and-set of the recipient's ledger (delivery marker and flood counter together,
//   recipient_ledger.ts), then the DM itself, in the direct channel the ledger remembers.
// So an alert is three round trips after the post: lookups (alongside the stamp), ledger, DM.
import type {ChannelMembership} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {UserProfile} from '@mattermost/types/users';

import type {Log} from 'mattermost-plugin-node';

import type {AlertTimings, PostTiming} from './alert_timings.js';
import {ChannelNamesCache, type ChannelNames} from './channel_names.js';
import {formatAlert} from './format.js';
import type {AlertsHost} from './host.js';
import {searchableText, WordMatcher} from './matcher.js';
import type {RecipientLedger} from './recipient_ledger.js';
import type {Settings} from './settings.js';
import {snoozedUntilIn, wordsVersionOf, type ChannelDoc, type StoredWord, type WordStore} from './store.js';

/** Recipients of one post alerted at the same time, at most. */
const ALERTS_IN_FLIGHT = 8;

export interface NotifierDeps {
    host: AlertsHost;
    log: Log;
    store: WordStore;
    ledger: RecipientLedger;
    settings: () => Settings;
    botUserId: () => string;
    siteURL: () => string;
    now?: () => number;
    /** The channel and team names of alerts (default: a one-minute cache over `host`). */
    channelNames?: ChannelNamesCache;
    /** Where each alert's time went (benchmarks read it through the debug route); none by default. */
    timings?: AlertTimings;
}

/** Where a match is in the searched text. */
interface Span {
    index: number;
    length: number;
}

/** A matched user and the words (as they typed them) that matched, in text order. */
interface Hit {
    userId: string;
    words: string[];
    keys: Set<string>;
    /** The first occurrence of each key: an edit's alert quotes the text around its first new word. */
    firstAt: Map<string, Span>;
    index: number;
    length: number;
}

interface CachedMatcher {
    /** The doc's words_version: a doc with the same one has the same words (a snooze changed). */
    wordsVersion: number;
    matcher: WordMatcher<string>;
    /** userId → normalized key → the word as that user typed it */
    display: Map<string, Map<string, string>>;
}

/** One post's lookups (see Notifier.lookup). */
interface Lookups {
    users: UserProfile[];
    members: ChannelMembership[];
    where: ChannelNames;
}

/** Matchers per channel; bounded, and only ever used after checking the channel's version stamp. */
const maxCachedMatchers = 2000;

export class Notifier {
    private readonly matchers = new Map<string, CachedMatcher>();
    private readonly now: () => number;
    private readonly channelNames: ChannelNamesCache;

    constructor(private readonly deps: NotifierDeps) {
        this.now = deps.now ?? Date.now;
        this.channelNames = deps.channelNames ?? new ChannelNamesCache(deps.host, {now: this.now});
    }

    async onPosted(post: Post): Promise<number> {
        if (!this.shouldConsider(post)) {
            return 0;
        }
        const {timings} = this.deps;
        const t = timings?.post(post);
        const current = this.matcherFor(post.channel_id); // the stamp read goes out first
        const early = this.matchEarly(post);
        try {
            const {doc, matcher} = await current;
            if (t) {
                t.stampMs = t.since();
            }
            if (early && early.doc === doc) {
                return await this.alertAll(post, early.candidates, false, early.lookups, t);
            }
            return await this.alertAll(post, this.unsnoozed(this.match(post, matcher), doc), false, undefined, t);
        } finally {
            if (t) {
                timings!.postDone(t);
            }
        }
    }

    /** Edits alert only for words that were not in the previous version of the post. */
    async onUpdated(newPost: Post, oldPost: Post): Promise<number> {
        if (!this.shouldConsider(newPost)) {
            return 0;
        }
        const {doc, matcher} = await this.matcherFor(newPost.channel_id);
        const [now, before] = [this.match(newPost, matcher), this.match(oldPost, matcher)];
        const beforeByUser = new Map(before.map((h) => [h.userId, h.keys]));
        const fresh: Hit[] = [];
        for (const hit of now) {
            const old = beforeByUser.get(hit.userId);
            if (!old) {
                fresh.push(hit);
                continue;
            }
            const words = [...hit.keys].filter((k) => !old.has(k));
            if (words.length > 0) {
                const display = matcher.display.get(hit.userId);
                // The excerpt must show a word the alert names, not one the post already had (which may
                // be far from the new one, outside the excerpt).
                const first = words.map((k) => hit.firstAt.get(k)!).reduce((a, b) => (b.index < a.index ? b : a));
                fresh.push({...hit, words: words.map((k) => display?.get(k) ?? k), keys: new Set(words), index: first.index, length: first.length});
            }
        }
        return this.alertAll(newPost, this.unsnoozed(fresh, doc), true);
    }

    private shouldConsider(post: Post): boolean {
        const s = this.deps.settings();
        if (!s.enableAlerts || !post.channel_id || !post.user_id) {
            return false;
        }
        if (post.type && post.type.startsWith('system_')) {
            return false; // "John joined the channel" is not someone saying "John"
        }
        if (post.user_id === this.deps.botUserId()) {
            return false;
        }
        const props = post.props ?? {};
        const fromBot = props.from_bot === 'true' || props.from_bot === true || props.from_plugin === 'true' || props.from_plugin === true;
        return !fromBot || s.alertOnBotPosts;
    }

    /**
     * While the version stamp is being read, the post is matched against the words this server has cached
     * and, if someone is to be alerted, their accounts and memberships are looked up: when the stamp
     * confirms the cache (nearly always) the alert goes out one round trip sooner; when it does not, this
     * is dropped and done again on the current words. Lookups have no effect on the server, so nothing is
     * decided on the cache.
     */
    private matchEarly(post: Post): {doc: ChannelDoc; candidates: Hit[]; lookups?: Promise<Lookups>} | undefined {
        const doc = this.deps.store.cachedChannelWords(post.channel_id);
        const m = this.matchers.get(post.channel_id);
        if (!doc || !m || m.wordsVersion !== wordsVersionOf(doc)) {
            return undefined;
        }
        const candidates = this.unsnoozed(this.match(post, m), doc);
        if (candidates.length === 0) {
            return {doc, candidates};
        }
        const lookups = this.lookup(post, candidates);
        lookups.catch(() => undefined); // reported by alertAll if used; dropped with the speculation otherwise
        return {doc, candidates, lookups};
    }

    /** The channel's doc (as of its version stamp) and the matcher for its words. */
    private async matcherFor(channelId: string): Promise<{doc: ChannelDoc; matcher: CachedMatcher}> {
        const {doc} = await this.deps.store.channelWords(channelId);
        const wordsVersion = wordsVersionOf(doc);
        const cached = this.matchers.get(channelId);
        if (cached && cached.wordsVersion === wordsVersion) {
            // refresh LRU position
            this.matchers.delete(channelId);
            this.matchers.set(channelId, cached);
            return {doc, matcher: cached};
        }
        const display = new Map<string, Map<string, string>>();
        const entries: Array<{word: string; value: string}> = [];
        for (const [userId, words] of Object.entries(doc.users) as Array<[string, StoredWord[]]>) {
            const byKey = new Map<string, string>();
            for (const w of words) {
                byKey.set(w.key, w.word);
                entries.push({word: w.word, value: userId});
            }
            display.set(userId, byKey);
        }
        const built: CachedMatcher = {wordsVersion, matcher: new WordMatcher(entries), display};
        this.matchers.delete(channelId);
        this.matchers.set(channelId, built);
        if (this.matchers.size > maxCachedMatchers) {
            const oldest = this.matchers.keys().next().value;
            if (oldest !== undefined) {
                this.matchers.delete(oldest);
            }
        }
        return {doc, matcher: built};
    }

    private match(post: Post, m: CachedMatcher): Hit[] {
        if (m.matcher.size === 0) {
            return [];
        }
        const byUser = new Map<string, Hit>();
        for (const found of m.matcher.match(searchableText(post))) {
            for (const userId of found.values) {
                if (userId === post.user_id) {
                    continue; // never alert people about their own words
                }
                let hit = byUser.get(userId);
                if (!hit) {
                    hit = {userId, words: [], keys: new Set(), firstAt: new Map(), index: found.index, length: found.length};
                    byUser.set(userId, hit);
                }
                if (!hit.keys.has(found.word)) {
                    hit.keys.add(found.word);
                    hit.words.push(m.display.get(userId)?.get(found.word) ?? found.word);
                }
                const seen = hit.firstAt.get(found.word);
                if (!seen || found.index < seen.index) {
                    hit.firstAt.set(found.word, {index: found.index, length: found.length});
                }
                if (found.index < hit.index) {
                    hit.index = found.index;
                    hit.length = found.length;
                }
            }
        }
        return [...byUser.values()];
    }

    /** The hits whose user has not snoozed the channel (snoozes come with the words: no call). */
    private unsnoozed(hits: Hit[], doc: ChannelDoc): Hit[] {
        const now = this.now();
        return hits.filter((h) => snoozedUntilIn(doc, h.userId, now) === null);
    }

    /**
     * What deciding the alerts needs from the server, in one round trip of three calls at once: the accounts
     * of the author and the candidates, the candidates' memberships (checked when the post arrives, not when
     * the word was set: someone who left the channel must not be sent its content), the channel's names.
     */
    private async lookup(post: Post, candidates: Hit[]): Promise<Lookups> {
        const {host} = this.deps;
        const ids = candidates.map((h) => h.userId);
        // (The author is never among the candidates: people are not alerted about their own words.)
        const [users, members, where] = await Promise.all([
            host.getUsersByIds([post.user_id, ...ids]),
            host.getChannelMembersByIds(post.channel_id, ids),
            this.channelNames.get(post.channel_id),
        ]);
        return {users, members, where};
    }

    private async alertAll(post: Post, candidates: Hit[], edited: boolean, lookups?: Promise<Lookups>, t?: PostTiming): Promise<number> {
        if (candidates.length === 0) {
            return 0;
        }
        const {log} = this.deps;
        let found: Lookups;
        try {
            found = await (lookups ?? this.lookup(post, candidates));
            if (t) {
                t.lookupsMs = t.since();
            }
        } catch (err) {
            log.warn('trigger alerts not delivered', 'post_id', post.id, 'recipients', candidates.length, 'error', String(err));
            return 0;
        }
        const {users, members, where} = found;
        const inChannel = new Set(members.filter((m) => m.channel_id === post.channel_id).map((m) => m.user_id));
        const active = new Map(users.filter((u) => !(u.delete_at > 0)).map((u) => [u.id, u]));
        const recipients = candidates.filter((h) => inChannel.has(h.userId) && active.has(h.userId));
        // An author the server no longer knows must not cost the recipients their alerts ('' reads "someone").
        const authorUsername = users.find((u) => u.id === post.user_id)?.username ?? '';
        let sent = 0;
        let next = 0;
        // Recipients are independent (one hit per user), so a few alerts run at once, not so many that one
        // post floods the server.
        const worker = async (): Promise<void> => {
            while (next < recipients.length) {
                const hit = recipients[next++]!;
                try {
                    if (await this.alertOne(post, hit, active.get(hit.userId)!, where, authorUsername, edited, t)) {
                        sent++;
                    }
                } catch (err) {
                    // One recipient's failure must not cost the others their alert.
                    log.warn('trigger alert not delivered', 'user_id', hit.userId, 'post_id', post.id, 'error', String(err));
                }
            }
        };
        await Promise.all(Array.from({length: Math.min(ALERTS_IN_FLIGHT, recipients.length)}, worker));
        return sent;
    }

    private async alertOne(post: Post, hit: Hit, recipient: UserProfile, where: ChannelNames, authorUsername: string, edited: boolean, t?: PostTiming): Promise<boolean> {
        const {host, settings, ledger} = this.deps;
        const s = settings();
        const botUserId = this.deps.botUserId();
        const directChannel = async (): Promise<string> => (await host.getDirectChannel(botUserId, hit.userId)).id;
        const marker = `${post.id}${edited ? `:${post.edit_at || post.update_at}` : ''}`;
        const claim = await ledger.claim(hit.userId, marker, s.alertsPerMinute, directChannel);
        if (claim.outcome !== 'send') {
            return false; // already alerted about this very post, or held back by flood control
        }
        const claimedMs = t?.since() ?? 0;
        const message = formatAlert({
            words: hit.words,
            authorUsername,
            channel: {name: where.name, display_name: where.display_name, type: where.type, teamName: where.teamName},
            text: searchableText(post),
            firstMatch: {index: hit.index, length: hit.length},
            excerptLength: s.excerptLength,
            permalink: this.permalink(post, where.teamName),
            isReply: Boolean(post.root_id),
            edited,
            suppressedCount: claim.held,
            locale: recipient.locale,
        });
        const dm = (channelId: string): Partial<Post> => ({
            channel_id: channelId,
            user_id: botUserId,
            message,
            props: {trigger_alert: {post_id: post.id, channel_id: post.channel_id, words: hit.words}},
        });
        const dmSentMs = t?.since() ?? 0;
        try {
            await host.createPost(dm(claim.dmChannelId));
        } catch (err) {
            // The remembered direct channel should never change; if the server refuses it, ask once more.
            const fresh = await directChannel().catch(() => claim.dmChannelId);
            if (fresh === claim.dmChannelId) {
                throw err;
            }
            ledger.replaceDirectChannel(hit.userId, fresh);
            await host.createPost(dm(fresh));
        }
        if (t) {
            this.deps.timings!.alert(t, hit.userId, {claimedMs, dmSentMs, dmDoneMs: t.since()});
        }
        return true;
    }

    private permalink(post: Post, teamName: string | undefined): string {
        const site = this.deps.siteURL().replace(/\/+$/, '');
        // A reply's permalink opens its thread; DMs and GMs have no team, and _redirect finds one.
        return `${site}/${teamName ?? '_redirect'}/pl/${post.id}`;
    }
}
