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

export class SettingsError extends Error {
    override readonly name = 'SettingsError';
    constructor(readonly problems: string[]) {
        super(`invalid plugin settings: ${problems.join('; ')}`);
    }
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
        throw new SettingsError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
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
