// Types for scripts/codeServer.mjs (plain JavaScript so `npm start` needs no tsx).
import type { ChildProcess } from 'node:child_process';

export declare const repoRoot: string;
export declare const CODE_SERVER_VERSION: string;
export declare const NODE_VERSION: string;
export declare class CodeServerSetupError extends Error {}

export interface CodeServerPaths {
  cache: string;
  nodePrefix: string;
  nodeDir: string;
  nodeBin: string;
  csPrefix: string;
  csDir: string;
  entry: string;
  marker: string;
}

export interface RunningCodeServer {
  url: string;
  origin: string;
  port: number;
  child: ChildProcess;
  userDataDir: string;
  extensionsDir: string;
  logs(): string;
  stop(): Promise<void>;
}

export declare function cacheDir(): string;
export declare function codeServerPaths(cache?: string): CodeServerPaths;
export declare function isInstalled(paths?: CodeServerPaths): boolean;
export declare function ensureCodeServer(): CodeServerPaths;
export declare function freePort(): Promise<number>;
export declare function installExtensionCopy(extensionsDir: string, extensionRoot?: string): string;
export declare function startCodeServer(options?: {
  folder?: string;
  extensionRoot?: string;
  extraExtensions?: string[];
  settings?: Record<string, unknown>;
  port?: number;
  quiet?: boolean;
  timeoutMs?: number;
  /** code-server's --locale (the display language), e.g. "ja". */
  locale?: string;
  /** Language pack folders: packaged as .vsix and installed with --install-extension, then registered (languagepacks.json). */
  languagePacks?: string[];
}): Promise<RunningCodeServer>;
