/* global document, navigator, fetch, FormData, crypto, setTimeout */
// The Firstline web-form widget: plain browser JavaScript, no framework, nothing required of the
// host page. Served at /webform/widget.js and embedded with one tag:
//   <script src="https://support.example/webform/widget.js" data-form="contact" data-locale="ru" async></script>
// It renders the form where the tag stands (or into the element named by data-target). With
// data-status="<token>" it renders the customer's status page instead (the hosted page does that).
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script) return;
  var base = script.src.replace(/\/webform\/widget\.js(\?.*)?$/, '');
  var wanted = (script.getAttribute('data-locale') || navigator.language || 'en').slice(0, 2);
  var locale = wanted === 'ru' ? 'ru' : 'en';

  var TEXT = {
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

  var uid = 'flw' + Math.random().toString(36).slice(2, 8);
  var root = el('div', { class: 'flw', lang: locale });
  var target = script.getAttribute('data-target');
  var into = target && document.getElementById(target);
  if (into) into.appendChild(root);
  else script.parentNode.insertBefore(root, script.nextSibling);
  addStyle();

  var statusToken = script.getAttribute('data-status');
  if (statusToken) showStatus(statusToken);
  else showForm(script.getAttribute('data-form') || 'contact');

  // ---- the form -------------------------------------------------------------------------------

  function showForm(formId) {
    getJson(base + '/webform/forms/' + encodeURIComponent(formId) + '?locale=' + locale).then(
      function (form) {
        renderForm(form);
      },
      function (problem) {
        root.appendChild(el('p', { role: 'alert', class: 'flw-alert' }, problem.message));
      },
    );
  }

  function renderForm(form) {
    var key = newKey();
    var inputs = {};
    var errors = {};
    var node = el('form', { class: 'flw-form', novalidate: '' });
    node.appendChild(el('h2', { class: 'flw-title' }, form.title));
    if (form.intro) node.appendChild(el('p', { class: 'flw-intro' }, form.intro));
    var alert = el('div', { role: 'alert', class: 'flw-alert', hidden: '' });
    node.appendChild(alert);

    form.fields.forEach(function (field) {
      if (field.type === 'callback_window') {
        var set = el('fieldset', { class: 'flw-field' });
        set.appendChild(el('legend', {}, field.label + (field.required ? ' *' : '')));
        ['from', 'to'].forEach(function (end) {
          var name = field.name + '_' + end;
          var id = uid + '-' + name;
          set.appendChild(el('label', { for: id }, TEXT[end]));
          var input = el('input', { id: id, name: name, type: 'datetime-local' });
          if (field.required) input.setAttribute('aria-required', 'true');
          set.appendChild(input);
          inputs[name] = { input: input, field: field, windowEnd: end };
          set.appendChild((errors[name] = errorNode(id)));
          input.setAttribute('aria-describedby', id + '-error');
        });
        node.appendChild(set);
        return;
      }
      var id = uid + '-' + field.name;
      var wrap = el('div', { class: 'flw-field' });
      wrap.appendChild(el('label', { for: id }, field.label + (field.required ? ' *' : '')));
      var input = control(field, id);
      wrap.appendChild(input);
      wrap.appendChild((errors[field.name] = errorNode(id)));
      input.setAttribute('aria-describedby', id + '-error');
      if (field.required) input.setAttribute('aria-required', 'true');
      inputs[field.name] = { input: input, field: field };
      node.appendChild(wrap);
    });

    var files;
    if (form.attachments) {
      var filesId = uid + '-attachments';
      var wrap = el('div', { class: 'flw-field' });
      wrap.appendChild(el('label', { for: filesId }, TEXT.files));
      files = el('input', { id: filesId, name: 'attachments', type: 'file', multiple: '' });
      wrap.appendChild(files);
      wrap.appendChild((errors.attachments = errorNode(filesId)));
      node.appendChild(wrap);
    }

    // The honeypot: people neither see nor reach it; robots fill in every field they find.
    var trap = el('div', { class: 'flw-trap', 'aria-hidden': 'true' });
    trap.appendChild(el('label', { for: uid + '-website' }, TEXT.robots));
    var honeypot = el('input', {
      id: uid + '-website',
      name: 'website',
      type: 'text',
      tabindex: '-1',
      autocomplete: 'off',
    });
    trap.appendChild(honeypot);
    node.appendChild(trap);

    var button = el('button', { type: 'submit', class: 'flw-send' }, TEXT.send);
    node.appendChild(button);
    root.appendChild(node);

    node.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors();
      var problems = checkLocally();
      if (problems.length > 0) return showErrors(problems, TEXT.fix);
      var body = new FormData();
      Object.keys(inputs).forEach(function (name) {
        var entry = inputs[name];
        var value = entry.input.value;
        // A datetime-local value is the visitor's wall-clock time; the server gets an instant.
        if (entry.windowEnd && value) value = new Date(value).toISOString();
        body.append(name, value);
      });
      body.append('website', honeypot.value);
      body.append('locale', locale);
      if (files)
        Array.prototype.forEach.call(files.files, (file) => body.append('attachments', file));
      busy(true);
      post(base + '/webform/forms/' + encodeURIComponent(form.id) + '/submissions', body, key).then(
        function (accepted) {
          busy(false);
          key = newKey();
          confirm(node, accepted);
        },
        function (problem) {
          busy(false);
          showErrors(fieldsOf(problem), problem.message);
        },
      );
    });

    function checkLocally() {
      var problems = [];
      Object.keys(inputs).forEach(function (name) {
        var entry = inputs[name];
        var value = entry.input.value.trim();
        var say = function (template) {
          problems.push({ field: name, message: template.replace('{label}', entry.field.label) });
        };
        if (!value && entry.field.required) say(TEXT.required);
        else if (value && entry.field.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
          say(TEXT.email);
        else if (entry.windowEnd === 'to' && value) {
          var from = inputs[entry.field.name + '_from'].input.value;
          if (from && new Date(value) <= new Date(from)) say(TEXT.order);
        }
      });
      return problems;
    }

    function showErrors(problems, message) {
      alert.textContent = message;
      alert.hidden = false;
      var first;
      problems.forEach(function (problem) {
        var entry = inputs[problem.field];
        var slot = errors[problem.field];
        if (slot) slot.textContent = problem.message;
        if (entry) {
          entry.input.setAttribute('aria-invalid', 'true');
          first = first || entry.input;
        }
      });
      (first || alert).focus();
      if (!first) alert.setAttribute('tabindex', '-1');
    }

    function clearErrors() {
      alert.hidden = true;
      alert.textContent = '';
      Object.keys(errors).forEach(function (name) {
        errors[name].textContent = '';
        if (inputs[name]) inputs[name].input.removeAttribute('aria-invalid');
      });
    }

    function busy(on) {
      button.disabled = on;
      button.textContent = on ? TEXT.sending : TEXT.send;
      node.setAttribute('aria-busy', on ? 'true' : 'false');
    }
  }

  function control(field, id) {
    var attributes = { id: id, name: field.name, maxlength: String(field.maxLength) };
    if (field.type === 'topic') {
      var select = el('select', { id: id, name: field.name });
      select.appendChild(el('option', { value: '' }, '—'));
      field.options.forEach(function (option) {
        select.appendChild(el('option', { value: option.value }, option.label));
      });
      return select;
    }
    if (field.type === 'message' || field.type === 'textarea') {
      attributes.rows = '5';
      return el('textarea', attributes);
    }
    attributes.type = { email: 'email', phone: 'tel' }[field.type] || 'text';
    var autocomplete = { name: 'name', email: 'email', phone: 'tel' }[field.type];
    if (autocomplete) attributes.autocomplete = autocomplete;
    return el('input', attributes);
  }

  /** Replaces the form with the confirmation; the ticket number appears once the router decided. */
  function confirm(form, accepted) {
    var panel = el('div', { class: 'flw-confirmation' });
    var heading = el('h2', { tabindex: '-1', class: 'flw-title' }, TEXT.thanks);
    panel.appendChild(heading);
    var live = el('div', { role: 'status', 'aria-live': 'polite' });
    live.appendChild(el('p', { class: 'flw-number' }, TEXT.numberPending));
    panel.appendChild(live);
    panel.appendChild(
      el('p', {}, el('a', { href: accepted.statusUrl, class: 'flw-status-link' }, TEXT.follow)),
    );
    form.replaceWith(panel);
    heading.focus();
    var tries = 0;
    (function poll() {
      tries += 1;
      getJson(accepted.statusApiUrl + '?locale=' + locale).then(
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

  function showStatus(token) {
    var statusUrl = base + '/webform/status/' + encodeURIComponent(token);
    var summary = el('div', { class: 'flw-summary', 'aria-live': 'polite' });
    var list = el('ol', { class: 'flw-conversation', 'aria-label': TEXT.conversation });
    root.appendChild(summary);
    root.appendChild(el('h3', {}, TEXT.conversation));
    root.appendChild(list);

    var key = newKey();
    var form = el('form', { class: 'flw-form', novalidate: '' });
    form.appendChild(el('h3', {}, TEXT.addMessage));
    var alert = el('div', { role: 'alert', class: 'flw-alert', hidden: '' });
    var note = el('p', { role: 'status', class: 'flw-note' });
    var textId = uid + '-text';
    form.appendChild(alert);
    form.appendChild(el('label', { for: textId }, TEXT.yourMessage));
    var text = el('textarea', {
      id: textId,
      name: 'text',
      rows: '4',
      'aria-describedby': textId + '-error',
    });
    form.appendChild(text);
    var textError = errorNode(textId);
    form.appendChild(textError);
    var filesId = uid + '-files';
    form.appendChild(el('label', { for: filesId }, TEXT.files));
    var files = el('input', { id: filesId, name: 'attachments', type: 'file', multiple: '' });
    form.appendChild(files);
    var button = el('button', { type: 'submit', class: 'flw-send' }, TEXT.send);
    form.appendChild(button);
    form.appendChild(note);
    root.appendChild(form);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      alert.hidden = true;
      textError.textContent = '';
      text.removeAttribute('aria-invalid');
      note.textContent = '';
      if (!text.value.trim() && files.files.length === 0) {
        return fail({
          message: TEXT.required.replace('{label}', TEXT.yourMessage),
          details: { fields: [{ field: 'text' }] },
        });
      }
      var body = new FormData();
      body.append('text', text.value);
      body.append('locale', locale);
      Array.prototype.forEach.call(files.files, (file) => body.append('attachments', file));
      button.disabled = true;
      post(statusUrl + '/messages', body, key).then(
        function () {
          button.disabled = false;
          key = newKey();
          text.value = '';
          files.value = '';
          note.textContent = TEXT.sent;
          refresh();
        },
        function (problem) {
          button.disabled = false;
          fail(problem);
        },
      );
    });

    function fail(problem) {
      alert.textContent = problem.message;
      alert.hidden = false;
      if (fieldsOf(problem).some((error) => error.field === 'text')) {
        textError.textContent = problem.message;
        text.setAttribute('aria-invalid', 'true');
        text.focus();
      }
    }

    function refresh() {
      return getJson(statusUrl + '?locale=' + locale).then(render, function (problem) {
        summary.textContent = '';
        summary.appendChild(
          el('p', { role: 'alert', class: 'flw-alert' }, problem.message || TEXT.loadFailed),
        );
      });
    }

    function render(status) {
      summary.textContent = '';
      summary.appendChild(
        el(
          'h2',
          { class: 'flw-title' },
          status.ticketNumber ? TEXT.request + ' #' + status.ticketNumber : TEXT.yourRequest,
        ),
      );
      var facts = el('dl', { class: 'flw-facts' });
      var fact = function (label, value, className) {
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
        var item = el('li', { class: 'flw-message flw-from-' + message.from });
        var author = message.from === 'customer' ? TEXT.you : message.author;
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

  function post(url, body, key) {
    return fetch(url, {
      method: 'POST',
      body: body,
      headers: { Accept: 'application/json', 'Accept-Language': locale, 'Idempotency-Key': key },
    }).then(readAnswer, networkProblem);
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json', 'Accept-Language': locale } }).then(
      readAnswer,
      networkProblem,
    );
  }

  function readAnswer(response) {
    return response.json().then(
      function (body) {
        if (response.ok) return body;
        throw body;
      },
      function () {
        throw { message: TEXT.network };
      },
    );
  }

  function networkProblem() {
    throw { message: TEXT.network };
  }

  /** The fields a refusal asks to correct (`details.fields` of the error body). */
  function fieldsOf(problem) {
    return (problem.details && problem.details.fields) || [];
  }

  function newKey() {
    return crypto.randomUUID
      ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function when(iso) {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date(iso),
    );
  }

  function errorNode(id) {
    return el('p', { id: id + '-error', class: 'flw-error' });
  }

  // Our own messages may carry links (the survey's rating page): shown as links, the rest as text.
  function withLinks(node, text) {
    text.split(/(https?:\/\/[^\s<>"]+)/).forEach(function (part, index) {
      node.appendChild(
        index % 2 === 1
          ? el('a', { href: part, class: 'flw-link' }, part)
          : document.createTextNode(part),
      );
    });
    return node;
  }

  function el(tag, attributes, content) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (typeof content === 'string') node.textContent = content;
    else if (content) node.appendChild(content);
    return node;
  }

  function addStyle() {
    if (document.getElementById('flw-style')) return;
    var style = el(
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
