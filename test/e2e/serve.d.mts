export function startHarnessServer(options?: {
    port?: number;
    host?: string;
    pluginHttpUrl?: string;
    pluginUserId?: string;
    bundlePath?: string;
    channels?: Array<{id: string; name: string; display_name: string}>;
    csrfToken?: string;
}): Promise<{url: string; close(): Promise<void>}>;
export const DEFAULT_REACT: number;
