export interface FakeChannel {
    id: string;
    name: string;
    display_name: string;
    team_id: string;
    team_name: string;
    members: string[];
}

export interface FakeRequest {
    method: string;
    path: string;
    /** lower-case header names */
    headers: Record<string, string | undefined>;
    body?: string;
}

export interface FakeResponse {
    status: number;
    headers: Record<string, string>;
    body: unknown;
}

export interface FakeBackend {
    handle(req: FakeRequest): FakeResponse;
    failNext(method: string, path: RegExp, status: number, body: unknown): void;
    seed(userId: string, channelId: string, words: string[], snoozedUntil?: number | null): void;
    words(userId: string, channelId: string): string[];
    readonly limits: {maxWords: number; maxLength: number};
}

export const HOUR: number;
export function normalize(word: string): string;
export function createFakeBackend(options: {channels: FakeChannel[]; maxWords?: number; maxLength?: number; now?: () => number}): FakeBackend;
export function checkSession(args: {method: string; headers: Record<string, string | undefined>; csrfToken: string}): FakeResponse | null;
export const DEMO_USER: string;
export const DEMO_CHANNELS: FakeChannel[];
