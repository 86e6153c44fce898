// The App Bar entry's icon: the plugin's bell badge (assets/icon.svg), as a data: URL, so it needs no file
// served by the server. The App Bar shows it as an <img>, where the page's theme variables do not reach, so
// its colours are fixed, chosen to read on the App Bar of light and dark themes alike: the badge's blue has
// at least 3:1 contrast against white and against Mattermost's dark backgrounds (the brand blue of
// assets/icon.svg, #1c58d9, has only about 2.8:1 on the dark ones), and the white bell 4.5:1 on the blue.
export const APP_BAR_BADGE = '#386fe5';

const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256">' +
    `<circle cx="128" cy="128" r="128" fill="${APP_BAR_BADGE}"/>` +
    '<path d="M128 52a10 10 0 0 1 10 10v4c24 6 38 28 38 54v30l20 18v16H60v-16l20-18v-30c0-26 14-48 38-54v-4a10 10 0 0 1 10-10z" fill="#fff"/>' +
    '<circle cx="128" cy="196" r="16" fill="#fff"/>' +
    '</svg>';

export const APP_BAR_ICON_URL = `data:image/svg+xml,${encodeURIComponent(svg)}`;
