/**
 * The dashboard's only script, served as `<base>/assets/dashboard.js`: the pages work without
 * it. It asks before a form with `data-confirm` is sent, shows times as "3 min ago", and
 * reloads the page every few seconds while the "Auto-refresh" box is ticked (remembered in
 * localStorage), unless a field has the focus or a disclosure is open.
 */
export const SCRIPT = `'use strict';
(function () {
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function ago(ms) {
    var s = Math.round(ms / 1000);
    if (s < 5) return 'just now';
    if (s < 60) return s + ' s ago';
    var m = Math.round(s / 60);
    if (m < 60) return m + ' min ago';
    var h = Math.round(m / 60);
    if (h < 48) return h + ' h ago';
    return Math.round(h / 24) + ' d ago';
  }
  var times = document.querySelectorAll('time[datetime]');
  for (var i = 0; i < times.length; i += 1) {
    var at = Date.parse(times[i].getAttribute('datetime'));
    if (!isNaN(at) && Date.now() - at >= -60000) times[i].textContent = ago(Math.max(0, Date.now() - at));
  }

  var box = document.getElementById('auto-refresh');
  var seconds = Number(document.body.getAttribute('data-refresh-seconds')) || 5;
  var key = 'warren.dashboard.autoRefresh';
  var stored = null;
  try { stored = window.localStorage.getItem(key); } catch (error) { stored = null; }
  if (box) {
    box.checked = stored === 'on';
    box.addEventListener('change', function () {
      try { window.localStorage.setItem(key, box.checked ? 'on' : 'off'); } catch (error) { /* private mode */ }
      if (box.checked) schedule();
    });
  }
  function busy() {
    var active = document.activeElement;
    return (active && (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA') && active !== box) || document.querySelector('details[open]') !== null;
  }
  function schedule() {
    window.setTimeout(function () {
      if (!box || !box.checked) return;
      if (busy()) return schedule();
      window.location.reload();
    }, seconds * 1000);
  }
  if (box && box.checked) schedule();
})();
`;
