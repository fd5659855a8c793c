// The memory page: failure memory (fingerprints, examples, fixes) and the knowledge graph, searchable.
'use strict';

async function drawMemory(query) {
  const memory = await getJson(`/api/memory?q=${encodeURIComponent(query)}`);
  const input = el('input', { type: 'search', name: 'q', value: query, placeholder: 'words, or a fingerprint' });
  const form = el('form', { id: 'search' }, input, el('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    history.replaceState(null, '', `/memory?q=${encodeURIComponent(input.value)}`);
    drawMemory(input.value).catch(showError);
  });
  const failures = (memory.failures ?? []).map(({ failure, fixes }) =>
    el(
      'article',
      { class: 'failure' },
      el(
        'h3',
        {},
        el('code', {}, failure.fingerprint.slice(0, 12)),
        ' ',
        failure.type ?? '',
        ' — ',
        failure.message ?? '',
      ),
      el('p', { class: 'muted' }, `${failure.occurrences} occurrence(s), last ${failure.lastSeenAt}`),
      el('pre', {}, failure.example ?? ''),
      fixes.length === 0
        ? el('p', { class: 'muted' }, 'no fix recorded')
        : el(
            'ul',
            {},
            fixes.map((fix) => el('li', {}, fix.description, fix.explanation ? ` — ${fix.explanation}` : '')),
          ),
    ),
  );
  const entities = (memory.entities ?? []).map((entity) =>
    el(
      'article',
      { class: 'entity' },
      el('h3', {}, entity.name, ' ', el('span', { class: 'muted' }, entity.entityType)),
      el(
        'ul',
        {},
        entity.observations.map((observation) => el('li', {}, observation)),
      ),
    ),
  );
  const relations = (memory.relations ?? []).map((relation) =>
    el('li', {}, `${relation.from} —${relation.relationType}→ ${relation.to}`),
  );
  mainElement().replaceChildren(
    el('h1', {}, 'Memory'),
    form,
    el('h2', {}, `Failures (${failures.length})`),
    failures.length === 0 ? el('p', { class: 'muted' }, 'none') : el('div', {}, failures),
    el('h2', {}, `Knowledge graph (${entities.length} entities)`),
    entities.length === 0 ? el('p', { class: 'muted' }, 'none') : el('div', { class: 'entities' }, entities),
    relations.length === 0 ? '' : el('ul', { class: 'relations' }, relations),
  );
}

drawMemory(new URLSearchParams(location.search).get('q') ?? '').catch(showError);
