// System Console settings (plugin.json settings_schema), validated. The server hands them over as the
// JSON of its plugin settings map, whose keys it lower-cases, so keys are matched case-insensitively.
import {z} from 'zod';

export interface Settings {
    enableAlerts: boolean;
    botDisplayName: string;
    maxWordsPerChannel: number;
    alertsPerMinute: number;
    alertOnBotPosts: boolean;
    excerptLength: number;
}

/** Not a setting: a trigger word longer than this is a sentence, not a word. */
export const maxWordLength = 64;

export const defaultSettings: Settings = {
    enableAlerts: true,
    botDisplayName: 'Trigger Alerts',
    maxWordsPerChannel: 25,
    alertsPerMinute: 10,
    alertOnBotPosts: false,
    excerptLength: 200,
};

// The System Console stores numbers as numbers, but older configs and mmctl may give strings.
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
    enablealerts: bool.default(defaultSettings.enableAlerts),
    botdisplayname: z
        .string()
        .trim()
        .max(64)
        .transform((v) => v || defaultSettings.botDisplayName)
        .default(defaultSettings.botDisplayName),
    maxwordsperchannel: int(1, 200).default(defaultSettings.maxWordsPerChannel),
    alertsperminute: int(1, 1000).default(defaultSettings.alertsPerMinute),
    alertonbotposts: bool.default(defaultSettings.alertOnBotPosts),
    excerptlength: int(20, 1000).default(defaultSettings.excerptLength),
});

/** How each setting is named in the System Console and what it takes, for messages an admin can act on. */
const describe: Record<keyof z.infer<typeof schema>, {label: string; takes: string}> = {
    enablealerts: {label: 'Enable alerts', takes: 'true or false'},
    botdisplayname: {label: 'Bot display name', takes: 'at most 64 characters'},
    maxwordsperchannel: {label: 'Maximum words per channel', takes: 'a whole number from 1 to 200'},
    alertsperminute: {label: 'Alerts per user per minute', takes: 'a whole number from 1 to 1000'},
    alertonbotposts: {label: 'Alert on posts by bots', takes: 'true or false'},
    excerptlength: {label: 'Excerpt length', takes: 'a whole number from 20 to 1000'},
};

export class SettingsError extends Error {
    override readonly name = 'SettingsError';
    constructor(readonly problems: string[]) {
        super(`Trigger Word Alerts: ${problems.join('; ')}`);
    }
}

function shown(v: unknown): string {
    const text = typeof v === 'string' ? JSON.stringify(v) : String(v);
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Parses the plugin's settings; unknown keys are ignored, missing or empty ones get their defaults. */
export function parseSettings(raw: unknown): Settings {
    const lowered: Record<string, unknown> = {};
    if (typeof raw === 'object' && raw !== null) {
        for (const [k, v] of Object.entries(raw)) {
            // An emptied number field in the System Console arrives as "" or null: treat it as unset.
            if (v !== '' && v !== null) {
                lowered[k.toLowerCase()] = v;
            }
        }
    }
    const parsed = schema.safeParse(lowered);
    if (!parsed.success) {
        const keys = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
        throw new SettingsError(
            keys.map((k) => {
                const d = describe[k as keyof typeof describe];
                return d ? `${d.label} must be ${d.takes}, not ${shown(lowered[k])}` : `${k}: invalid value ${shown(lowered[k])}`;
            }),
        );
    }
    const s = parsed.data;
    return {
        enableAlerts: s.enablealerts,
        botDisplayName: s.botdisplayname,
        maxWordsPerChannel: s.maxwordsperchannel,
        alertsPerMinute: s.alertsperminute,
        alertOnBotPosts: s.alertonbotposts,
        excerptLength: s.excerptlength,
    };
}

/**
 * This plugin's settings inside a whole server configuration (model.Config's JSON shape): the server keys
 * PluginSettings.Plugins by plugin id. Undefined when the configuration holds none (defaults apply).
 */
export function pluginSettingsIn(config: Record<string, unknown>, pluginId: string): unknown {
    const pluginSettings = config.PluginSettings;
    if (typeof pluginSettings !== 'object' || pluginSettings === null) {
        return undefined;
    }
    const plugins = (pluginSettings as {Plugins?: unknown}).Plugins;
    if (typeof plugins !== 'object' || plugins === null) {
        return undefined;
    }
    return (plugins as Record<string, unknown>)[pluginId];
}
