// A few of the --vscode-* colours and the body class of VS Code's Light+, Dark+ and
// High Contrast themes, set on a harness page through the CSSOM (which the page's
// CSP allows): the browser tests that check the panes take their colours and
// borders from the theme, and the README screenshots in three themes.
import type { Page } from 'playwright-core';

/** The body class and a few colours of VS Code's Light+, Dark+ and High Contrast themes. */
export const THEMES: Record<string, { bodyClass: string; colours: Record<string, string> }> = {
  light: {
    bodyClass: 'vscode-light',
    colours: { 'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', foreground: '#3b3b3b', 'panel-border': '#e5e5e5', 'charts-blue': '#1a85ff' },
  },
  dark: {
    bodyClass: 'vscode-dark',
    colours: {
      'editor-background': '#1f1f1f',
      'editor-foreground': '#cccccc',
      foreground: '#cccccc',
      descriptionForeground: '#9d9d9d',
      'panel-border': '#2b2b2b',
      'sideBar-background': '#181818',
      'list-hoverBackground': '#2a2d2e',
      'list-activeSelectionBackground': '#04395e',
      focusBorder: '#0078d4',
      'charts-blue': '#3794ff',
      'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      'charts-foreground': '#cccccc',
      'editorError-foreground': '#f14c4c',
      'editorWarning-foreground': '#cca700',
      'editorInfo-foreground': '#3794ff',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    colours: {
      'editor-background': '#000000',
      'editor-foreground': '#ffffff',
      foreground: '#ffffff',
      descriptionForeground: '#ffffff',
      'panel-border': '#6fc3df',
      contrastBorder: '#6fc3df',
      contrastActiveBorder: '#f38518',
      focusBorder: '#f38518',
      'charts-blue': '#3794ff',
      'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      'editorError-foreground': '#f48771',
      'editorWarning-foreground': '#ffd370',
      'editorInfo-foreground': '#3794ff',
    },
  },
};

export async function applyTheme(page: Page, name: string): Promise<void> {
  const theme = THEMES[name]!;
  await page.evaluate(({ bodyClass, colours }) => {
    const d = globalThis as unknown as {
      document: { body: { className: string }; documentElement: { style: { setProperty(k: string, v: string): void } } };
    };
    d.document.body.className = bodyClass;
    for (const [key, value] of Object.entries(colours)) d.document.documentElement.style.setProperty(`--vscode-${key}`, value);
  }, theme);
}
