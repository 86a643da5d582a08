// Types for the part of fs-native-extensions (no bundled types) that the data-directory lock uses.
declare module 'fs-native-extensions' {
  /** An exclusive (default) or shared lock on the whole file, without waiting: false when another holder has it. */
  export function tryLock (fd: number, exclusive?: boolean): boolean
  export function unlock (fd: number): void
  const fsx: { tryLock: typeof tryLock, unlock: typeof unlock }
  export default fsx
}
