// Themes of the Mattermost web app, as a user picks them in Settings > Display > Theme. The values are the
// fixture web app's own (9.10, `Preferences.THEMES` in its built client), so the page looks exactly as it
// does for a user who chose that theme.
import type {Client4} from '@mattermost/client';

export const ONYX_THEME = {
    type: 'Onyx',
    sidebarBg: '#202228',
    sidebarText: '#ffffff',
    sidebarUnreadText: '#ffffff',
    sidebarTextHoverBg: '#25262a',
    sidebarTextActiveBorder: '#4a7ce8',
    sidebarTextActiveColor: '#ffffff',
    sidebarHeaderBg: '#24272d',
    sidebarHeaderTextColor: '#ffffff',
    sidebarTeamBarBg: '#292c33',
    onlineIndicator: '#3db887',
    awayIndicator: '#f5ab00',
    dndIndicator: '#d24b4e',
    mentionBg: '#4b7ce7',
    mentionBj: '#4b7ce7',
    mentionColor: '#ffffff',
    centerChannelBg: '#191b1f',
    centerChannelColor: '#e3e4e8',
    newMessageSeparator: '#1adbdb',
    linkColor: '#5d89ea',
    buttonBg: '#4a7ce8',
    buttonColor: '#ffffff',
    errorTextColor: '#da6c6e',
    mentionHighlightBg: '#0d6e6e',
    mentionHighlightLink: '#a4f4f4',
    codeTheme: 'monokai',
} as const;

/**
 * Saves `theme` as the user's theme for every team: the preference the web app's theme picker writes
 * (PUT /api/v4/users/{id}/preferences, category "theme", name "" = all teams).
 */
export async function saveTheme(client: Client4, userId: string, theme: Record<string, string>): Promise<void> {
    await client.savePreferences(userId, [{user_id: userId, category: 'theme', name: '', value: JSON.stringify(theme)}]);
}
