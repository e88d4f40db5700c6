// The login page's script: trade the one-time token in the URL's fragment for the session cookie,
// forget the fragment, open the view.

const msg = document.getElementById('msg')!;
const token = new URLSearchParams(location.hash.slice(1)).get('token');
history.replaceState(null, '', location.pathname);
if (!token) {
  msg.textContent = 'This link has no login token. Run kindling ui and open the link it prints.';
} else {
  fetch('session', { method: 'POST', body: token, headers: { 'Content-Type': 'text/plain' } }).then(
    async (res) => {
      if (res.ok) location.replace('./');
      else msg.textContent = ((await res.json().catch(() => undefined)) as { message?: string } | undefined)?.message ?? `Login failed (${res.status}).`;
    },
    (e: Error) => (msg.textContent = `Login failed: ${e.message}`),
  );
}
