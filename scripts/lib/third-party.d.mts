export function packageDirOf(file: string): string | null;
export function thirdPartyNotices(packageDirs: Iterable<string>): string;
