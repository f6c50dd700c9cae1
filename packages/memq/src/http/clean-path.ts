/**
 * httprouter's CleanPath (v1.2.0 path.go): Go's path.Clean, but an empty path becomes "/", a
 * missing leading slash is added and a trailing slash (or a final ".") is kept.
 */
export function cleanPath(p: string): string {
  if (p === '') return '/';
  const n = p.length;
  const buf: string[] = [];
  let r = 1;
  let trailing = n > 1 && p[n - 1] === '/';
  if (p[0] !== '/') r = 0;
  // buf holds the output after the leading '/'; w (buf.length) counts from 1 in the Go code.
  while (r < n) {
    if (p[r] === '/') {
      r++;
    } else if (p[r] === '.' && r + 1 === n) {
      trailing = true;
      r++;
    } else if (p[r] === '.' && p[r + 1] === '/') {
      r += 2;
    } else if (p[r] === '.' && p[r + 1] === '.' && (r + 2 === n || p[r + 2] === '/')) {
      r += 3;
      // backtrack to the previous '/'
      while (buf.length > 0 && buf[buf.length - 1] !== '/') buf.pop();
      if (buf.length > 0) buf.pop();
    } else {
      if (buf.length > 0) buf.push('/');
      while (r < n && p[r] !== '/') buf.push(p[r++]!);
    }
  }
  if (trailing && buf.length > 0) buf.push('/');
  return '/' + buf.join('');
}

/** Go's path.Clean for a rooted path (used by http.Redirect). */
export function goPathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p[0] === '/';
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const out = (rooted ? '/' : '') + parts.join('/');
  return out === '' ? '.' : out;
}
