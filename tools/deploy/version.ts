// Mattermost versions as deploy compares them: the server's own (X-Version-Id, or the client config's
// Version) against a bundle's min_server_version, numerically by major.minor.patch, as the server's
// Manifest.MeetMinServerVersion does before it starts a plugin.

/** major.minor.patch of a version string ("10.5.0", "v10.5.0", "10.5.0-rc1"); undefined if it has none. */
export function parseVersion(text: string): [number, number, number] | undefined {
    const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * The server version in an X-Version-Id header: "<version>.<build number>.<build hash>.<licensed>", where the
 * build number may itself be a version ("10.11.0.10.11.0.abc.true") or empty ("9.10.0..abc.false").
 */
export function versionFromVersionId(header: string): string | undefined {
    const v = parseVersion(header);
    return v ? v.join('.') : undefined;
}

/** Whether `server` is at least `min` (both parseable). */
export function meetsMinVersion(server: string, min: string): boolean | undefined {
    const s = parseVersion(server);
    const m = parseVersion(min);
    if (!s || !m) {
        return undefined;
    }
    for (let i = 0; i < 3; i++) {
        if (s[i] !== m[i]) {
            return s[i]! > m[i]!;
        }
    }
    return true;
}
