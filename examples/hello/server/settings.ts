// The System Console settings of plugin.json's settings_schema.
export interface Settings {
    greeting: string;
    /** Empty: no filtering. */
    maskedWord: string;
}

/**
 * The server stores the keys as the System Console sends them, lower-cased ("maskedword"), while a config
 * written by hand may keep "MaskedWord": a Go plugin's json.Unmarshal matches either, so match either here.
 */
export function parseSettings(raw: Record<string, unknown>): Settings {
    const get = (key: string): string => {
        const found = Object.entries(raw).find(([k]) => k.toLowerCase() === key.toLowerCase());
        return typeof found?.[1] === 'string' ? found[1].trim() : '';
    };
    return {greeting: get('Greeting') || 'Hello', maskedWord: get('MaskedWord')};
}
