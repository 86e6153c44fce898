// A post arrives: who gets an alert, and the DM they get. Per post the cost is one tiny KV read (the
// channel's version stamp) plus work for the users who actually matched; the matcher is rebuilt only
// when the channel's words changed, on whichever server notices first.
import type {Channel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';

import type {Log} from '../mattermost/logger.js';

import type {FloodControl} from './flood.js';
import {formatAlert} from './format.js';
import {isChannelMember, isNotFound, type AlertsHost} from './host.js';
import type {KVStore} from './kv.js';
import {searchableText, WordMatcher} from './matcher.js';
import type {Settings} from './settings.js';
import type {Snooze} from './snooze.js';
import type {StoredWord, WordStore} from './store.js';

/** Recipients of one post alerted at the same time, at most. */
const ALERTS_IN_FLIGHT = 8;

export interface NotifierDeps {
    host: AlertsHost;
    log: Log;
    kv: KVStore;
    store: WordStore;
    flood: FloodControl;
    snooze: Snooze;
    settings: () => Settings;
    botUserId: () => string;
    siteURL: () => string;
    now?: () => number;
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
    version: number;
    matcher: WordMatcher<string>;
    /** userId → normalized key → the word as that user typed it */
    display: Map<string, Map<string, string>>;
}

/** Matchers per channel; bounded, and only ever used after checking the channel's version stamp. */
const maxCachedMatchers = 2000;

/** "One DM per post per user": remembered long enough to cover any retry of the same post. */
const sentMarkerSeconds = 24 * 60 * 60;

export class Notifier {
    private readonly matchers = new Map<string, CachedMatcher>();

    constructor(private readonly deps: NotifierDeps) {}

    async onPosted(post: Post): Promise<number> {
        if (!this.shouldConsider(post)) {
            return 0;
        }
        const hits = await this.match(post);
        return this.alertAll(post, hits, false);
    }

    /** Edits alert only for words that were not in the previous version of the post. */
    async onUpdated(newPost: Post, oldPost: Post): Promise<number> {
        if (!this.shouldConsider(newPost)) {
            return 0;
        }
        const [now, before] = await Promise.all([this.match(newPost), this.match(oldPost)]);
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
                const display = this.matchers.get(newPost.channel_id)?.display.get(hit.userId);
                // The excerpt must show a word the alert names, not one the post already had (which may
                // be far from the new one, outside the excerpt).
                const first = words.map((k) => hit.firstAt.get(k)!).reduce((a, b) => (b.index < a.index ? b : a));
                fresh.push({...hit, words: words.map((k) => display?.get(k) ?? k), keys: new Set(words), index: first.index, length: first.length});
            }
        }
        return this.alertAll(newPost, fresh, true);
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

    private async matcherFor(channelId: string): Promise<CachedMatcher> {
        const {version, doc} = await this.deps.store.channelWords(channelId);
        const cached = this.matchers.get(channelId);
        if (cached && cached.version === version) {
            // refresh LRU position
            this.matchers.delete(channelId);
            this.matchers.set(channelId, cached);
            return cached;
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
        const built: CachedMatcher = {version, matcher: new WordMatcher(entries), display};
        this.matchers.delete(channelId);
        this.matchers.set(channelId, built);
        if (this.matchers.size > maxCachedMatchers) {
            const oldest = this.matchers.keys().next().value;
            if (oldest !== undefined) {
                this.matchers.delete(oldest);
            }
        }
        return built;
    }

    private async match(post: Post): Promise<Hit[]> {
        const m = await this.matcherFor(post.channel_id);
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

    private async alertAll(post: Post, hits: Hit[], edited: boolean): Promise<number> {
        if (hits.length === 0) {
            return 0;
        }
        const {host} = this.deps;
        // An author the server no longer knows must not cost the recipients their alerts.
        const [channel, author] = await Promise.all([host.getChannel(post.channel_id), host.getUser(post.user_id).catch(() => undefined)]);
        const teamName = channel.team_id ? await host.getTeam(channel.team_id).then((t) => t.name, () => undefined) : undefined;
        let sent = 0;
        let next = 0;
        // Each alert is a chain of server round trips; recipients are independent (one hit per user), so a
        // few chains run at once, not so many that one post floods the server.
        const worker = async (): Promise<void> => {
            while (next < hits.length) {
                const hit = hits[next++]!;
                try {
                    if (await this.alertOne(post, hit, channel, teamName, author?.username ?? 'someone', edited)) {
                        sent++;
                    }
                } catch (err) {
                    // One recipient's failure must not cost the others their alert.
                    this.deps.log.warn('trigger alert not delivered', 'user_id', hit.userId, 'post_id', post.id, 'error', String(err));
                }
            }
        };
        await Promise.all(Array.from({length: Math.min(ALERTS_IN_FLIGHT, hits.length)}, worker));
        return sent;
    }

    private async alertOne(post: Post, hit: Hit, channel: Channel, teamName: string | undefined, authorUsername: string, edited: boolean): Promise<boolean> {
        const {host, kv, settings} = this.deps;
        if ((await this.deps.snooze.until(hit.userId, post.channel_id)) !== null) {
            return false;
        }
        // Membership is checked when the post arrives, not when the word was set: someone who left
        // the channel must not be sent its content.
        if (!(await isChannelMember(host, post.channel_id, hit.userId))) {
            return false;
        }
        const user = await host.getUser(hit.userId).catch((err: unknown) => {
            if (isNotFound(err)) {
                return undefined;
            }
            throw err;
        });
        if (!user || user.delete_at > 0) {
            return false;
        }
        const marker = `tw1:sent:${post.id}:${hit.userId}${edited ? `:${post.edit_at || post.update_at}` : ''}`;
        if (!(await kv.compareAndSet(marker, null, '1', {expireInSeconds: sentMarkerSeconds}))) {
            return false; // another delivery of this very post already alerted this user
        }
        const s = settings();
        const admitted = await this.deps.flood.admit(hit.userId, s.alertsPerMinute);
        if (!admitted.allowed) {
            return false;
        }
        const message = formatAlert({
            words: hit.words,
            authorUsername,
            channel: {name: channel.name, display_name: channel.display_name, type: channel.type, teamName},
            text: searchableText(post),
            firstMatch: {index: hit.index, length: hit.length},
            excerptLength: s.excerptLength,
            permalink: this.permalink(post, teamName),
            isReply: Boolean(post.root_id),
            edited,
            suppressedCount: admitted.suppressed,
        });
        const botUserId = this.deps.botUserId();
        const dm = await host.getDirectChannel(botUserId, hit.userId);
        await host.createPost({
            channel_id: dm.id,
            user_id: botUserId,
            message,
            props: {trigger_alert: {post_id: post.id, channel_id: post.channel_id, words: hit.words}},
        });
        return true;
    }

    private permalink(post: Post, teamName: string | undefined): string {
        const site = this.deps.siteURL().replace(/\/+$/, '');
        // A reply's permalink opens its thread; DMs and GMs have no team, and _redirect finds one.
        return `${site}/${teamName ?? '_redirect'}/pl/${post.id}`;
    }
}
