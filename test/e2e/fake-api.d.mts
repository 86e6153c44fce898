import type {FakeBackend} from './fake-backend.mjs';

export function startFakeApi(options?: {port?: number; host?: string; backend?: FakeBackend}): Promise<{
    url: string;
    backend: FakeBackend;
    requests: Array<{method: string; path: string; status: number}>;
    close(): Promise<void>;
}>;
