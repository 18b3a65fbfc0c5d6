/** What a rebuild's put did: wrote, lost to a newer live version, or replaced an unreadable value. */
export type RebuildPut = 'written' | 'newer-live' | 'replaced-corrupt';

/**
 * A value the projection's script cannot read (another type, a version that is not a number, not
 * JSON) makes it fail, and would fail every live event too: it is removed and written anew. A
 * live event landing in between is still safe: it is newer, and the rewrite then loses.
 */
export async function putReplacingCorrupt(
  put: () => Promise<boolean>,
  remove: () => Promise<unknown>,
): Promise<RebuildPut> {
  let written: boolean;
  try {
    written = await put();
  } catch (error) {
    if (!isScriptError(error)) throw error;
    await remove();
    return (await put()) ? 'replaced-corrupt' : 'newer-live';
  }
  return written ? 'written' : 'newer-live';
}

const isScriptError = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'ReplyError' || /WRONGTYPE|ERR .*script|user_script/i.test(error.message));
