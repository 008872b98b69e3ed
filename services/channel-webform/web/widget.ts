// The Firstline web-form widget: no framework, nothing required of the host page. Built into one
// classic script (build-web.mjs) served at /webform/widget.js and embedded with one tag:
//   <script src="https://support.example/webform/widget.js" data-form="contact" data-locale="ru" async></script>
// It renders the form where the tag stands (or into the element named by data-target). With
// data-status="<token>" it renders the customer's status page instead (the hosted page does that).
//
// What it sends and reads is typed by webform-api.ts, generated from the service's OpenAPI
// document. A classic script has no `import`: the types are named by `import()` types, which
// leave nothing in the compiled file.

/** The public API's paths, and its request and answer bodies by their names in openapi.json. */
type Paths = import('./webform-api.js').paths;
type Schemas = import('./webform-api.js').components['schemas'];

/** What a GET of `P` answers with 200, as JSON. */
type Answer<P extends keyof Paths> = Paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;

/** A refusal as the widget shows it: the API's error body, or one the widget made itself. */
interface Problem {
  message: string;
  details?: { fields?: Array<Pick<Schemas['FieldProblem'], 'field'> & { message?: string }> };
}

(function () {
  'use strict';

  const script = document.currentScript as HTMLScriptElement | null;
  if (!script) return;
  const base = script.src.replace(/\/webform\/widget\.js(\?.*)?$/, '');
  const wanted = (script.getAttribute('data-locale') || navigator.language || 'en').slice(0, 2);
  const locale: Schemas['Locale'] = wanted === 'ru' ? 'ru' : 'en';

  const TEXT = {
    en: {
      send: 'Send',
      sending: 'Sending…',
      required: 'Please fill in “{label}”.',
      email: '“{label}” must be an email address like name@example.com.',
      order: '“{label}”: the end must be later than the start.',
      from: 'From',
      to: 'To',
      files: 'Attach files (optional)',
      robots: 'Leave this field empty',
      fix: 'Please correct the highlighted fields.',
      network: 'The message could not be sent: no connection to the server. Please try again.',
      thanks: 'Thank you! Your request is registered.',
      number: 'Ticket number',
      numberPending: 'Your ticket number will appear here in a moment…',
      expected: 'We will answer by',
      follow: 'Follow your request and write to us on its page',
      request: 'Request',
      yourRequest: 'Your request',
      stage: 'Stage',
      agent: 'Agent',
      lastUpdate: 'Last update',
      conversation: 'Conversation',
      you: 'You',
      addMessage: 'Add a message',
      yourMessage: 'Your message',
      sent: 'Your message was sent.',
      loadFailed: 'The request could not be loaded. Please check the link.',
    },
    ru: {
      send: 'Отправить',
      sending: 'Отправляем…',
      required: 'Заполните поле «{label}».',
      email: 'В поле «{label}» нужен адрес электронной почты вида name@example.com.',
      order: '«{label}»: конец промежутка должен быть позже начала.',
      from: 'С',
      to: 'До',
      files: 'Прикрепить файлы (необязательно)',
      robots: 'Оставьте это поле пустым',
      fix: 'Исправьте отмеченные поля.',
      network: 'Сообщение не отправлено: нет связи с сервером. Попробуйте ещё раз.',
      thanks: 'Спасибо! Ваше обращение зарегистрировано.',
      number: 'Номер обращения',
      numberPending: 'Номер обращения появится здесь через несколько секунд…',
      expected: 'Ответим до',
      follow: 'Следить за обращением и писать нам на его странице',
      request: 'Обращение',
      yourRequest: 'Ваше обращение',
      stage: 'Этап',
      agent: 'Специалист',
      lastUpdate: 'Последнее обновление',
      conversation: 'Переписка',
      you: 'Вы',
      addMessage: 'Добавить сообщение',
      yourMessage: 'Ваше сообщение',
      sent: 'Сообщение отправлено.',
      loadFailed: 'Не удалось загрузить обращение. Проверьте ссылку.',
    },
  }[locale];

  const uid = 'flw' + Math.random().toString(36).slice(2, 8);
  const root = el('div', { class: 'flw', lang: locale });
  const target = script.getAttribute('data-target');
  const into = target && document.getElementById(target);
  if (into) into.appendChild(root);
  else script.parentNode?.insertBefore(root, script.nextSibling);
  addStyle();

  const statusToken = script.getAttribute('data-status');
  if (statusToken) showStatus(statusToken);
  else showForm(script.getAttribute('data-form') || 'contact');

  // ---- the form -------------------------------------------------------------------------------

  type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  type Field = Schemas['FormFieldView'];
  interface Entry {
    input: Control;
    field: Field;
    /** For the two inputs of a callback window. */
    windowEnd?: 'from' | 'to';
  }

  function showForm(formId: string): void {
    get('/webform/forms/{formId}', { formId }).then(
      function (form) {
        renderForm(form);
      },
      function (problem: Problem) {
        root.appendChild(el('p', { role: 'alert', class: 'flw-alert' }, problem.message));
      },
    );
  }

  function renderForm(form: Schemas['FormView']): void {
    let key = newKey();
    const inputs: Record<string, Entry> = {};
    const errors: Record<string, HTMLElement> = {};
    const node = el('form', { class: 'flw-form', novalidate: '' });
    node.appendChild(el('h2', { class: 'flw-title' }, form.title));
    if (form.intro) node.appendChild(el('p', { class: 'flw-intro' }, form.intro));
    const alert = el('div', { role: 'alert', class: 'flw-alert', hidden: '' });
    node.appendChild(alert);

    form.fields.forEach(function (field) {
      if (field.type === 'callback_window') {
        const set = el('fieldset', { class: 'flw-field' });
        set.appendChild(el('legend', {}, field.label + (field.required ? ' *' : '')));
        (['from', 'to'] as const).forEach(function (end) {
          const name = field.name + '_' + end;
          const id = uid + '-' + name;
          set.appendChild(el('label', { for: id }, TEXT[end]));
          const input = el('input', { id: id, name: name, type: 'datetime-local' });
          if (field.required) input.setAttribute('aria-required', 'true');
          set.appendChild(input);
          inputs[name] = { input: input, field: field, windowEnd: end };
          set.appendChild((errors[name] = errorNode(id)));
          input.setAttribute('aria-describedby', id + '-error');
        });
        node.appendChild(set);
        return;
      }
      const id = uid + '-' + field.name;
      const wrap = el('div', { class: 'flw-field' });
      wrap.appendChild(el('label', { for: id }, field.label + (field.required ? ' *' : '')));
      const input = control(field, id);
      wrap.appendChild(input);
      wrap.appendChild((errors[field.name] = errorNode(id)));
      input.setAttribute('aria-describedby', id + '-error');
      if (field.required) input.setAttribute('aria-required', 'true');
      inputs[field.name] = { input: input, field: field };
      node.appendChild(wrap);
    });

    let files: HTMLInputElement | undefined;
    if (form.attachments) {
      const filesId = uid + '-attachments';
      const wrap = el('div', { class: 'flw-field' });
      wrap.appendChild(el('label', { for: filesId }, TEXT.files));
      files = el('input', { id: filesId, name: 'attachments', type: 'file', multiple: '' });
      wrap.appendChild(files);
      wrap.appendChild((errors.attachments = errorNode(filesId)));
      node.appendChild(wrap);
    }

    // The honeypot: people neither see nor reach it; robots fill in every field they find.
    const trap = el('div', { class: 'flw-trap', 'aria-hidden': 'true' });
    trap.appendChild(el('label', { for: uid + '-website' }, TEXT.robots));
    const honeypot = el('input', {
      id: uid + '-website',
      name: 'website',
      type: 'text',
      tabindex: '-1',
      autocomplete: 'off',
    });
    trap.appendChild(honeypot);
    node.appendChild(trap);

    const button = el('button', { type: 'submit', class: 'flw-send' }, TEXT.send);
    node.appendChild(button);
    root.appendChild(node);

    node.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors();
      const problems = checkLocally();
      if (problems.length > 0) return showErrors(problems, TEXT.fix);
      // The form's own fields, by the names it gave them, then those every submission has.
      const body = new FormData();
      Object.keys(inputs).forEach(function (name) {
        const entry = inputs[name];
        let value = entry.input.value;
        // A datetime-local value is the visitor's wall-clock time; the server gets an instant.
        if (entry.windowEnd && value) value = new Date(value).toISOString();
        body.append(name, value);
      });
      const add = bodyFields<Schemas['SubmissionPost']>(body);
      add('website', honeypot.value);
      add('locale', locale);
      if (files) Array.from(files.files ?? []).forEach((file) => add('attachments', file));
      busy(true);
      send(address('/webform/forms/{formId}/submissions', { formId: form.id }), body, key).then(
        function (accepted) {
          busy(false);
          key = newKey();
          confirm(node, accepted);
        },
        function (problem: Problem) {
          busy(false);
          showErrors(fieldProblemsOf(problem), problem.message);
        },
      );
    });

    function checkLocally(): Array<{ field: string; message: string }> {
      const problems: Array<{ field: string; message: string }> = [];
      Object.keys(inputs).forEach(function (name) {
        const entry = inputs[name];
        const value = entry.input.value.trim();
        const say = function (template: string) {
          problems.push({ field: name, message: template.replace('{label}', entry.field.label) });
        };
        if (!value && entry.field.required) say(TEXT.required);
        else if (value && entry.field.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
          say(TEXT.email);
        else if (entry.windowEnd === 'to' && value) {
          const from = inputs[entry.field.name + '_from'].input.value;
          if (from && new Date(value) <= new Date(from)) say(TEXT.order);
        }
      });
      return problems;
    }

    function showErrors(problems: Array<{ field: string; message?: string }>, message: string) {
      alert.textContent = message;
      alert.hidden = false;
      let first: Control | undefined;
      problems.forEach(function (problem) {
        const entry = inputs[problem.field];
        const slot = errors[problem.field];
        if (slot) slot.textContent = problem.message ?? null;
        if (entry) {
          entry.input.setAttribute('aria-invalid', 'true');
          first = first || entry.input;
        }
      });
      (first || alert).focus();
      if (!first) alert.setAttribute('tabindex', '-1');
    }

    function clearErrors(): void {
      alert.hidden = true;
      alert.textContent = '';
      Object.keys(errors).forEach(function (name) {
        errors[name].textContent = '';
        if (inputs[name]) inputs[name].input.removeAttribute('aria-invalid');
      });
    }

    function busy(on: boolean): void {
      button.disabled = on;
      button.textContent = on ? TEXT.sending : TEXT.send;
      node.setAttribute('aria-busy', on ? 'true' : 'false');
    }
  }

  function control(field: Field, id: string): Control {
    const attributes: Record<string, string> = {
      id: id,
      name: field.name,
      maxlength: String(field.maxLength),
    };
    if (field.type === 'topic') {
      const select = el('select', { id: id, name: field.name });
      select.appendChild(el('option', { value: '' }, '—'));
      (field.options ?? []).forEach(function (option) {
        select.appendChild(el('option', { value: option.value }, option.label));
      });
      return select;
    }
    if (field.type === 'message' || field.type === 'textarea') {
      attributes.rows = '5';
      return el('textarea', attributes);
    }
    const types: Partial<Record<Field['type'], string>> = { email: 'email', phone: 'tel' };
    attributes.type = types[field.type] || 'text';
    const completions: Partial<Record<Field['type'], string>> = {
      name: 'name',
      email: 'email',
      phone: 'tel',
    };
    const autocomplete = completions[field.type];
    if (autocomplete) attributes.autocomplete = autocomplete;
    return el('input', attributes);
  }

  /** Replaces the form with the confirmation; the ticket number appears once the router decided. */
  function confirm(form: HTMLFormElement, accepted: Schemas['PostAccepted']): void {
    const panel = el('div', { class: 'flw-confirmation' });
    const heading = el('h2', { tabindex: '-1', class: 'flw-title' }, TEXT.thanks);
    panel.appendChild(heading);
    const live = el('div', { role: 'status', 'aria-live': 'polite' });
    live.appendChild(el('p', { class: 'flw-number' }, TEXT.numberPending));
    panel.appendChild(live);
    panel.appendChild(
      el('p', {}, el('a', { href: accepted.statusUrl, class: 'flw-status-link' }, TEXT.follow)),
    );
    form.replaceWith(panel);
    heading.focus();
    let tries = 0;
    (function poll() {
      tries += 1;
      // The API names the status it made: the URL is the answer's, its body the status page's.
      getJson<Answer<'/webform/status/{token}'>>(accepted.statusApiUrl).then(
        function (status) {
          if (status.ticketNumber) {
            live.textContent = '';
            live.appendChild(
              el('p', { class: 'flw-number' }, TEXT.number + ': #' + status.ticketNumber),
            );
            if (status.expectedAnswerAt) {
              live.appendChild(
                el(
                  'p',
                  { class: 'flw-expected' },
                  TEXT.expected + ' ' + when(status.expectedAnswerAt),
                ),
              );
            }
            if (status.answerTime) {
              live.appendChild(el('p', { class: 'flw-answer-time' }, status.answerTime));
            }
          }
          if ((!status.ticketNumber || !status.expectedAnswerAt) && tries < 60)
            setTimeout(poll, 1000);
        },
        function () {
          if (tries < 60) setTimeout(poll, 2000);
        },
      );
    })();
  }

  // ---- the status page ------------------------------------------------------------------------

  function showStatus(token: string): void {
    const summary = el('div', { class: 'flw-summary', 'aria-live': 'polite' });
    const list = el('ol', { class: 'flw-conversation', 'aria-label': TEXT.conversation });
    root.appendChild(summary);
    root.appendChild(el('h3', {}, TEXT.conversation));
    root.appendChild(list);

    let key = newKey();
    const form = el('form', { class: 'flw-form', novalidate: '' });
    form.appendChild(el('h3', {}, TEXT.addMessage));
    const alert = el('div', { role: 'alert', class: 'flw-alert', hidden: '' });
    const note = el('p', { role: 'status', class: 'flw-note' });
    const textId = uid + '-text';
    form.appendChild(alert);
    form.appendChild(el('label', { for: textId }, TEXT.yourMessage));
    const text = el('textarea', {
      id: textId,
      name: 'text',
      rows: '4',
      'aria-describedby': textId + '-error',
    });
    form.appendChild(text);
    const textError = errorNode(textId);
    form.appendChild(textError);
    const filesId = uid + '-files';
    form.appendChild(el('label', { for: filesId }, TEXT.files));
    const files = el('input', { id: filesId, name: 'attachments', type: 'file', multiple: '' });
    form.appendChild(files);
    const button = el('button', { type: 'submit', class: 'flw-send' }, TEXT.send);
    form.appendChild(button);
    form.appendChild(note);
    root.appendChild(form);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      alert.hidden = true;
      textError.textContent = '';
      text.removeAttribute('aria-invalid');
      note.textContent = '';
      const chosen = Array.from(files.files ?? []);
      if (!text.value.trim() && chosen.length === 0) {
        return fail({
          message: TEXT.required.replace('{label}', TEXT.yourMessage),
          details: { fields: [{ field: 'text' }] },
        });
      }
      const body = new FormData();
      const add = bodyFields<Schemas['FollowUpPost']>(body);
      add('text', text.value);
      add('locale', locale);
      chosen.forEach((file) => add('attachments', file));
      button.disabled = true;
      send(address('/webform/status/{token}/messages', { token }), body, key).then(
        function () {
          button.disabled = false;
          key = newKey();
          text.value = '';
          files.value = '';
          note.textContent = TEXT.sent;
          refresh();
        },
        function (problem: Problem) {
          button.disabled = false;
          fail(problem);
        },
      );
    });

    function fail(problem: Problem): void {
      alert.textContent = problem.message;
      alert.hidden = false;
      if (fieldProblemsOf(problem).some((error) => error.field === 'text')) {
        textError.textContent = problem.message;
        text.setAttribute('aria-invalid', 'true');
        text.focus();
      }
    }

    function refresh(): Promise<void> {
      return get('/webform/status/{token}', { token }).then(render, function (problem: Problem) {
        summary.textContent = '';
        summary.appendChild(
          el('p', { role: 'alert', class: 'flw-alert' }, problem.message || TEXT.loadFailed),
        );
      });
    }

    function render(status: Schemas['StatusView']): void {
      summary.textContent = '';
      summary.appendChild(
        el(
          'h2',
          { class: 'flw-title' },
          status.ticketNumber ? TEXT.request + ' #' + status.ticketNumber : TEXT.yourRequest,
        ),
      );
      const facts = el('dl', { class: 'flw-facts' });
      const fact = function (label: string, value: string, className: string) {
        facts.appendChild(el('dt', {}, label));
        facts.appendChild(el('dd', { class: className }, value));
      };
      fact(TEXT.stage, status.stageLabel, 'flw-stage');
      if (status.agentFirstName) fact(TEXT.agent, status.agentFirstName, 'flw-agent');
      if (status.expectedAnswerAt)
        fact(TEXT.expected, when(status.expectedAnswerAt), 'flw-expected');
      fact(TEXT.lastUpdate, when(status.lastUpdateAt), 'flw-updated');
      summary.appendChild(facts);
      // Where the customer stands in line, counted down on every refresh.
      if (status.answerTime) {
        summary.appendChild(el('p', { class: 'flw-answer-time' }, status.answerTime));
      }
      list.textContent = '';
      status.messages.forEach(function (message) {
        const item = el('li', { class: 'flw-message flw-from-' + message.from });
        const author = message.from === 'customer' ? TEXT.you : message.author;
        item.appendChild(el('p', { class: 'flw-meta' }, author + ' · ' + when(message.at)));
        item.appendChild(
          message.from === 'support'
            ? withLinks(el('p', { class: 'flw-text' }), message.text)
            : el('p', { class: 'flw-text' }, message.text),
        );
        message.attachments.forEach(function (file) {
          item.appendChild(el('p', {}, el('a', { href: file.url }, file.fileName)));
        });
        list.appendChild(item);
      });
    }

    (function poll() {
      refresh().then(function () {
        setTimeout(poll, 3000);
      });
    })();
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The address of one of the API's paths, its `{parameters}` filled in. */
  function address<P extends keyof Paths>(path: P, parameters: Record<string, string>): string {
    return (
      base + path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(parameters[name]))
    );
  }

  /** Adds to a post the fields its request body in the API names, and only those. */
  function bodyFields<Body>(body: FormData) {
    return (name: keyof Body & string, value: string | Blob) => body.append(name, value);
  }

  function send(url: string, body: FormData, key: string): Promise<Schemas['PostAccepted']> {
    return fetch(url, {
      method: 'POST',
      body: body,
      headers: { Accept: 'application/json', 'Accept-Language': locale, 'Idempotency-Key': key },
    }).then(readAnswer<Schemas['PostAccepted']>, networkProblem);
  }

  /** What one of the API's paths answers to GET, in the asked locale. */
  function get<P extends keyof Paths>(path: P, parameters: Record<string, string>) {
    return getJson<Answer<P>>(address(path, parameters));
  }

  function getJson<Body>(url: string): Promise<Body> {
    return fetch(url + '?locale=' + locale, {
      headers: { Accept: 'application/json', 'Accept-Language': locale },
    }).then(readAnswer<Body>, networkProblem);
  }

  function readAnswer<Body>(response: Response): Promise<Body> {
    return response.json().then(
      function (body: Body | Schemas['ErrorBody']) {
        if (response.ok) return body as Body;
        throw body;
      },
      function () {
        throw { message: TEXT.network } satisfies Problem;
      },
    );
  }

  function networkProblem(): never {
    throw { message: TEXT.network } satisfies Problem;
  }

  /** The fields a refusal asks to correct (`details.fields` of the error body). */
  function fieldProblemsOf(problem: Problem) {
    return (problem.details && problem.details.fields) || [];
  }

  function newKey(): string {
    return crypto.randomUUID
      ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function when(iso: string): string {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date(iso),
    );
  }

  function errorNode(id: string): HTMLParagraphElement {
    return el('p', { id: id + '-error', class: 'flw-error' });
  }

  // Our own messages may carry links (the survey's rating page): shown as links, the rest as text.
  function withLinks(node: HTMLElement, text: string): HTMLElement {
    text.split(/(https?:\/\/[^\s<>"]+)/).forEach(function (part, index) {
      node.appendChild(
        index % 2 === 1
          ? el('a', { href: part, class: 'flw-link' }, part)
          : document.createTextNode(part),
      );
    });
    return node;
  }

  function el<Tag extends keyof HTMLElementTagNameMap>(
    tag: Tag,
    attributes?: Record<string, string>,
    content?: string | Node,
  ): HTMLElementTagNameMap[Tag] {
    const node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes![name]);
    });
    if (typeof content === 'string') node.textContent = content;
    else if (content) node.appendChild(content);
    return node;
  }

  function addStyle(): void {
    if (document.getElementById('flw-style')) return;
    const style = el(
      'style',
      { id: 'flw-style' },
      '.flw{font:16px/1.4 system-ui,sans-serif;max-width:36rem;color:#1a1a1a}' +
        '.flw-field{margin:0 0 .9rem;border:0;padding:0}.flw label,.flw legend{display:block;font-weight:600;margin:.2rem 0}' +
        '.flw input,.flw select,.flw textarea{box-sizing:border-box;width:100%;font:inherit;padding:.45rem;border:1px solid #767676;border-radius:4px}' +
        '.flw [aria-invalid=true]{border:2px solid #b00020}.flw-error{color:#b00020;margin:.2rem 0 0;min-height:0}' +
        '.flw-alert{color:#b00020;border-left:4px solid #b00020;padding:.3rem .6rem;margin:.5rem 0}' +
        '.flw :focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}' +
        '.flw-send{font:inherit;padding:.55rem 1.2rem;border:0;border-radius:4px;background:#1a5fb4;color:#fff;cursor:pointer}' +
        '.flw-send[disabled]{opacity:.6}.flw-trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}' +
        '.flw-conversation{list-style:none;padding:0}.flw-message{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;margin:.5rem 0}' +
        '.flw-from-support{background:#f1f6fd}.flw-meta{font-size:.85rem;color:#555;margin:0}.flw-text{white-space:pre-wrap;margin:.3rem 0 0}' +
        '.flw-facts dt{font-weight:600}.flw-facts dd{margin:0 0 .4rem}',
    );
    document.head.appendChild(style);
  }
})();
