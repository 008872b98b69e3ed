import { Api, ApiError, login, type Agent, type LiveMessage } from './api.js';
import type { Context, Screen } from './context.js';
import { field, h, replace, select } from './dom.js';
import { LANGUAGES, language, setLanguage, t } from './i18n.js';
import { notificationsPanel } from './notifications.js';
import { queueScreen } from './queue.js';
import { searchBox } from './search.js';
import { ticketScreen } from './ticket.js';

const TOKEN_KEY = 'firstline.token';
const app = document.getElementById('app') as HTMLElement;

interface DirectoryRecord {
  id: string;
  // Protobuf JSON: fields at their default (false, empty) are left out.
  agent?: { name?: string; presence?: string; teamIds?: string[]; active?: boolean };
  team?: { name?: string };
}

async function start(): Promise<void> {
  document.documentElement.lang = language();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    const api = new Api(token);
    try {
      await signedIn(api, await api.get<Agent>('/me'));
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      sessionStorage.removeItem(TOKEN_KEY);
    }
  }
  showLogin();
}

function showLogin(): void {
  const email = h('input', { type: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, t('signIn.title')),
    field(t('signIn.email'), email, 'login-email'),
    field(t('signIn.password'), password, 'login-password'),
    error,
    h('button', { type: 'submit' }, t('signIn.submit')),
    languagePicker(),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const session = await login(email.value, password.value);
      sessionStorage.setItem(TOKEN_KEY, session.token);
      await signedIn(new Api(session.token), session.agent);
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? failure.message : t('error.network');
    }
  });
  replace(app, h('main', { class: 'centered' }, form));
  email.focus();
}

function languagePicker(): HTMLElement {
  const picker = select(
    LANGUAGES.map((code) => [code, t(`language.${code}`)]),
    language(),
  );
  picker.addEventListener('change', () => {
    setLanguage(picker.value);
    location.reload();
  });
  return field(t('language'), picker, `language-${Math.random().toString(36).slice(2)}`);
}

async function signedIn(api: Api, agent: Agent): Promise<void> {
  const [agents, teams] = await Promise.all([
    api.get<DirectoryRecord[]>('/directory/agent'),
    api.get<DirectoryRecord[]>('/directory/team'),
  ]);
  const agentNames = new Map(agents.map((record) => [record.id, record.agent?.name ?? record.id]));
  const teamNames = new Map(teams.map((record) => [record.id, record.team?.name ?? record.id]));
  const listeners = new Set<(message: LiveMessage) => void>();
  const liveState = h('span', { class: 'live-state', role: 'status' }, t('live.connecting'));
  const announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite' });
  const context: Context = {
    api,
    agent,
    agentName: (id) => (id ? (agentNames.get(id) ?? id) : t('queue.nobody')),
    teamName: (id) => teamNames.get(id) ?? id,
    teams: [...teamNames].map(([id, name]) => ({ id, name })),
    agents: agents.map((record) => ({
      id: record.id,
      name: record.agent?.name ?? record.id,
      teamIds: record.agent?.teamIds ?? [],
      active: record.agent?.active ?? false,
    })),
    onLive: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    announce: (text) => {
      announcer.textContent = text;
    },
  };
  const stopLive = api.live(
    (message) => listeners.forEach((listener) => listener(message)),
    (state) => {
      liveState.textContent = t(`live.${state}`);
      liveState.dataset.state = state;
      if (state === 'signed-out') signOut();
    },
  );
  const signOut = () => {
    stopLive();
    sessionStorage.removeItem(TOKEN_KEY);
    window.removeEventListener('hashchange', route);
    showLogin();
  };

  const ownPresence = agents.find((record) => record.id === agent.id)?.agent?.presence;
  const presence = select(
    (['online', 'away', 'offline'] as const).map((value) => [value, t(`presence.${value}`)]),
    (ownPresence ?? 'PRESENCE_OFFLINE').replace('PRESENCE_', '').toLowerCase(),
    { class: 'presence' },
  );
  presence.addEventListener('change', async () => {
    await api.call('PUT', '/me/presence', { presence: presence.value });
    presence.dataset.presence = presence.value;
    context.announce(t('presence.changed', { presence: t(`presence.${presence.value}`) }));
  });
  presence.dataset.presence = presence.value;

  const links: Array<[string, string]> = [
    ['#/queue', t('nav.queue')],
    ['#/callbacks', t('nav.callbacks')],
  ];
  if (agent.role !== 'agent') links.push(['#/dashboard', t('nav.dashboard')]);
  if (agent.role !== 'agent') links.push(['#/agents', t('nav.agents')]);
  if (agent.role !== 'agent') links.push(['#/staffing', t('nav.staffing')]);
  if (agent.role === 'admin') links.push(['#/admin', t('nav.admin')]);
  const nav = h(
    'nav',
    { 'aria-label': t('nav.label') },
    links.map(([href, label]) => h('a', { href }, label)),
  );
  const view = h('main', { id: 'view', tabindex: -1 });
  const skip = h('a', { href: '#view', class: 'skip' }, t('skip'));
  skip.addEventListener('click', (event) => {
    event.preventDefault(); // a hash would be taken for a screen
    view.focus();
  });
  replace(
    app,
    skip,
    h(
      'header',
      { class: 'shell' },
      h('span', { class: 'brand' }, 'Firstline'),
      nav,
      searchBox(context),
      h(
        'div',
        { class: 'who' },
        h('span', {}, `${agent.name} · ${t(`role.${agent.role}`)}`),
        agent.role !== 'agent' && notificationsPanel(api, context),
        field(t('presence'), presence, 'presence'),
        liveState,
        languagePicker(),
        h('button', { type: 'button', onclick: signOut }, t('signOut')),
      ),
    ),
    view,
    announcer,
  );

  let stopScreen: () => void = () => {};
  let rendering = 0;
  async function route(): Promise<void> {
    const render = ++rendering;
    const [name = 'queue', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
    stopScreen();
    stopScreen = () => {};
    for (const link of nav.querySelectorAll('a')) {
      if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    let screen: Screen;
    if (name === 'ticket') screen = ticketScreen;
    // Supervisors' and admins' screens load only when they are opened: agents never fetch them.
    else if (name === 'dashboard') screen = (await import('./dashboard.js')).dashboardScreen;
    else if (name === 'admin') screen = (await import('./admin.js')).adminScreen;
    else if (name === 'agents') screen = (await import('./supervisor.js')).agentsScreen;
    else if (name === 'staffing') screen = (await import('./staffing.js')).staffingScreen;
    else if (name === 'callbacks') screen = (await import('./callbacks.js')).callbacksScreen;
    else screen = queueScreen;
    if (render !== rendering) return;
    view.replaceChildren();
    delete view.dataset.ready; // each screen says when it has loaded
    stopScreen = screen(view, context, rest.map(decodeURIComponent));
    // A new screen is announced by moving focus to it; the queue focuses its first row itself.
    if (name !== 'queue' && name !== '') view.focus();
  }
  window.addEventListener('hashchange', route);
  await route();
}

start().catch((error: unknown) => {
  replace(app, h('p', { class: 'error', role: 'alert' }, `${t('error.start')}: ${String(error)}`));
});
