/** A request target in absolute form (`http://host:port`), up to its path. */
const SCHEME_AND_AUTHORITY = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;

/**
 * The admin page's `<base href>`, relative to the page's own URL: `./keysmith/` for a page asked
 * for as `.../keysmith`, `./` for `.../keysmith/`. So `assets/...` and `api/...` resolve below the
 * mount path under any global prefix, and behind a proxy that strips a path prefix too.
 *
 * Only the last segment of the request's path is used, as a `./` reference that cannot leave the
 * page's origin: a client may send an absolute-form target (`GET http://elsewhere/keysmith`), and
 * its scheme and host must never become the page's base.
 */
export function adminPageBase(requestUrl: string): string {
  const path = requestUrl.replace(SCHEME_AND_AUTHORITY, '').split(/[?#]/, 1)[0];
  const lastSegment = path.slice(path.lastIndexOf('/') + 1);
  return lastSegment ? `./${lastSegment}/` : './';
}
