// The runs page: every run of the workdir, newest first, redrawn every few seconds while one is running.
'use strict';

async function drawRuns() {
  const { runs } = await getJson('/api/runs');
  const rows = runs.map((run) =>
    el(
      'tr',
      { 'data-run': run.id },
      el('td', {}, el('a', { href: `/runs/${encodeURIComponent(run.id)}` }, run.id)),
      el('td', { class: 'goal' }, run.goal_name),
      el('td', {}, statusBadge(run.status)),
      el('td', {}, run.subtype ?? '—'),
      el('td', {}, phaseText(run.phases)),
      el('td', { class: 'number' }, durationText(run.elapsed_ms)),
      el('td', { class: 'number' }, costText(run.cost_usd)),
      el('td', { class: 'number' }, run.exit_code ?? '—'),
    ),
  );
  mainElement().replaceChildren(
    el('h1', {}, 'Runs'),
    runs.length === 0
      ? el('p', { class: 'muted' }, 'No runs recorded yet in this workdir.')
      : el(
          'table',
          { id: 'runs' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['run', 'goal', 'state', 'outcome', 'phases', 'elapsed', 'cost', 'exit'].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', {}, rows),
        ),
  );
  return runs.some((run) => run.status === 'running');
}

async function refreshRuns() {
  try {
    const live = await drawRuns();
    setTimeout(refreshRuns, live ? 2000 : 10000);
  } catch (error) {
    showError(error);
    setTimeout(refreshRuns, 5000);
  }
}

refreshRuns();
