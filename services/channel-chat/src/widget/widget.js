/* global document, navigator, window, localStorage, fetch, WebSocket, crypto, setTimeout, clearTimeout, FormData, URL */
// The Firstline live-chat widget: plain browser JavaScript, no framework, nothing required of the
// host page. Served at /chat/widget.js and embedded with one tag:
//   <script src="https://support.example/chat/widget.js" data-locale="ru" async></script>
// It adds a launcher button and a chat window (in a shadow root, so the site's styles and the
// widget's leave each other alone). The visitor token is kept in localStorage: the conversation
// survives reloads and navigation. Messages travel over a WebSocket; where one cannot open, the
// widget long-polls and posts instead. A message keeps the id the widget gave it until the server
// says "delivered", and is sent again under that id after a lost connection. A file is uploaded
// first (POST /chat/files) and then sent as a message naming it.
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script) return;
  var base = script.src.replace(/\/chat\/widget\.js(\?.*)?$/, '');
  var wanted = (script.getAttribute('data-locale') || navigator.language || 'en').slice(0, 2);
  var locale = wanted === 'ru' ? 'ru' : 'en';
  // Which site of the service's CHAT_SITES this page is: its team and pre-chat form.
  var site = script.getAttribute('data-site') || '';
  var MAX_LENGTH = 4000;

  var TEXT = {
    en: {
      open: 'Chat with us',
      unread: 'Chat with us ({n} new)',
      title: 'Support chat',
      close: 'Close the chat',
      messages: 'Messages',
      message: 'Your message',
      send: 'Send',
      hello: 'Hello! Write your question and an agent will answer here.',
      you: 'You',
      sending: 'Sending…',
      delivered: 'Delivered',
      read: 'Read',
      typing: '{name} is typing…',
      agent: 'The agent',
      notSent: 'Not sent: {reason}',
      connecting: 'Connecting…',
      offline: 'No connection. Your messages will be sent when it is back.',
      startFailed: 'The chat could not start. Please try again in a moment.',
      prechatIntro: 'Before we start, please tell us a little about you.',
      name: 'Your name',
      email: 'Email',
      topic: 'Topic',
      chooseTopic: 'Choose a topic',
      optional: '{label} (optional)',
      startChat: 'Start the chat',
      errName: 'Please enter your name.',
      errEmail: 'Please enter an email address like name@example.com.',
      errTopic: 'Please choose a topic.',
      errText: 'Please write your message.',
      errors: 'Please correct the fields marked below.',
      closedAt:
        'We are closed now and open again {when}. Leave a message and we will answer by email.',
      closed: 'We are closed now. Leave a message and we will answer by email.',
      noAgent: 'No agent is available right now. Leave a message and we will answer by email.',
      leaveText: 'Your message',
      leaveSend: 'Send the message',
      left: 'Thank you! We have your message and will answer at {email}.',
      leaveFailed: 'The message could not be sent: {reason}',
      rate: 'Rate this chat',
      star: '{n} of 5',
      comment: 'Comment (optional)',
      sendRating: 'Send rating',
      rated: 'Thank you! Your rating of {n} of 5 is recorded.',
      transcript: 'Email me the transcript',
      transcriptEmail: 'Your email',
      sendTranscript: 'Send the transcript',
      transcriptSent: 'The transcript is on its way to {email}.',
      transcriptSentBefore: 'The transcript of this chat has been sent.',
      tryAgain: 'That did not work. Please try again.',
      attach: 'Attach a file',
      uploading: 'Uploading {name}…',
      tooLarge: '{name} is too large: files up to {max} can be sent.',
      badType: '{name} cannot be sent: pictures, PDF and text files can.',
      uploadFailed: '{name} could not be uploaded. Please try again.',
      fileFailed: 'The file could not be opened. Please try again.',
      bytes: '{n} B',
      kilobytes: '{n} KB',
      megabytes: '{n} MB',
    },
    ru: {
      open: 'Чат с поддержкой',
      unread: 'Чат с поддержкой (новых: {n})',
      title: 'Чат с поддержкой',
      close: 'Закрыть чат',
      messages: 'Сообщения',
      message: 'Ваше сообщение',
      send: 'Отправить',
      hello: 'Здравствуйте! Напишите вопрос — оператор ответит здесь.',
      you: 'Вы',
      sending: 'Отправляется…',
      delivered: 'Доставлено',
      read: 'Прочитано',
      typing: '{name} печатает…',
      agent: 'Оператор',
      notSent: 'Не отправлено: {reason}',
      connecting: 'Подключаемся…',
      offline: 'Нет связи. Сообщения уйдут, когда она появится.',
      startFailed: 'Чат не запустился. Попробуйте ещё раз через минуту.',
      prechatIntro: 'Прежде чем начать, расскажите немного о себе.',
      name: 'Ваше имя',
      email: 'Электронная почта',
      topic: 'Тема',
      chooseTopic: 'Выберите тему',
      optional: '{label} (необязательно)',
      startChat: 'Начать чат',
      errName: 'Введите имя.',
      errEmail: 'Введите адрес почты, например name@example.com.',
      errTopic: 'Выберите тему.',
      errText: 'Напишите сообщение.',
      errors: 'Исправьте отмеченные ниже поля.',
      closedAt: 'Сейчас мы не работаем, откроемся {when}. Оставьте сообщение — ответим по почте.',
      closed: 'Сейчас мы не работаем. Оставьте сообщение — ответим по почте.',
      noAgent: 'Сейчас нет свободных операторов. Оставьте сообщение — ответим по почте.',
      leaveText: 'Ваше сообщение',
      leaveSend: 'Отправить сообщение',
      left: 'Спасибо! Мы получили сообщение и ответим на {email}.',
      leaveFailed: 'Сообщение не отправлено: {reason}',
      rate: 'Оцените этот чат',
      star: '{n} из 5',
      comment: 'Комментарий (по желанию)',
      sendRating: 'Отправить оценку',
      rated: 'Спасибо! Ваша оценка {n} из 5 записана.',
      transcript: 'Прислать переписку на почту',
      transcriptEmail: 'Ваш email',
      sendTranscript: 'Отправить переписку',
      transcriptSent: 'Переписка отправлена на {email}.',
      transcriptSentBefore: 'Переписка этого чата уже отправлена.',
      tryAgain: 'Не получилось. Попробуйте ещё раз.',
      attach: 'Прикрепить файл',
      uploading: 'Загружается {name}…',
      tooLarge: 'Файл {name} слишком большой: можно отправить файлы до {max}.',
      badType: 'Файл {name} нельзя отправить: можно картинки, PDF и текстовые файлы.',
      uploadFailed: 'Не удалось загрузить {name}. Попробуйте ещё раз.',
      fileFailed: 'Файл не открылся. Попробуйте ещё раз.',
      bytes: '{n} Б',
      kilobytes: '{n} КБ',
      megabytes: '{n} МБ',
    },
  }[locale];

  function say(key, values) {
    return TEXT[key].replace(/\{(\w+)\}/g, function (_, name) {
      return String(values[name]);
    });
  }

  // ---- what survives a reload ---------------------------------------------------------------
  var TOKEN_KEY = 'firstline-chat-token:' + base;
  var PENDING_KEY = 'firstline-chat-pending:' + base;
  /** Set once the pre-chat form was answered: it is not asked again. */
  var PROFILE_KEY = 'firstline-chat-profile:' + base + ':' + site;

  function load(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null; // storage blocked: the chat lasts as long as the page
    }
  }
  function save(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      /* storage blocked */
    }
  }

  var token = load(TOKEN_KEY);
  /** Messages written and not yet delivered, oldest first: { id, text, files }. */
  var pending = JSON.parse(load(PENDING_KEY) || '[]');
  var lastSeq = 0;
  /** An agent has read the visitor's messages up to this seq. */
  var agentRead = 0;
  /** The visitor's reading, as last told to the server. */
  var reportedRead = 0;
  /** When the visitor's typing was last told: it is repeated at most every 3 seconds. */
  var typingSentAt = 0;
  var typingTimer = null;
  var unread = 0;
  /** Replies stored after this are news worth a count on the launcher; older ones are history. */
  var loadedAt = Date.now();
  /** Messages posted over HTTP and not answered yet: not posted twice meanwhile. */
  var posting = {};

  // ---- the window ---------------------------------------------------------------------------
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  /** The file button's picture, drawn rather than an emoji: not every system has the glyph. */
  function paperclip() {
    var svg = 'http://www.w3.org/2000/svg';
    var icon = document.createElementNS(svg, 'svg');
    var line = document.createElementNS(svg, 'path');
    [
      ['viewBox', '0 0 24 24'],
      ['width', '20'],
      ['height', '20'],
      ['aria-hidden', 'true'],
      ['focusable', 'false'],
    ].forEach(function (pair) {
      icon.setAttribute(pair[0], pair[1]);
    });
    line.setAttribute('d', 'M16 7v9a4 4 0 0 1-8 0V6a2.5 2.5 0 0 1 5 0v9a1 1 0 0 1-2 0V8');
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', 'currentColor');
    line.setAttribute('stroke-width', '2');
    line.setAttribute('stroke-linecap', 'round');
    icon.append(line);
    return icon;
  }

  var host = el('div', { 'data-firstline-chat': '' });
  var root = host.attachShadow({ mode: 'open' });
  var style = el('style');
  style.textContent =
    ':host{all:initial}[hidden]{display:none!important}' +
    '*{box-sizing:border-box;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:12px 18px;border:0;' +
    'border-radius:24px;background:#1f5fbf;color:#fff;cursor:pointer;box-shadow:0 2px 8px #0004}' +
    '.launcher:focus-visible,button:focus-visible,textarea:focus-visible{outline:3px solid #f5a623;outline-offset:2px}' +
    '.panel{position:fixed;right:20px;bottom:80px;z-index:2147483000;width:360px;height:520px;' +
    'max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;color:#1a1a1a;' +
    'border-radius:12px;box-shadow:0 4px 24px #0005;overflow:hidden}' +
    '.panel[hidden]{display:none}' +
    'header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#1f5fbf;color:#fff}' +
    'h2{margin:0;font-weight:600;font-size:16px;color:inherit}' +
    '.close{border:0;background:none;color:#fff;font-size:22px;cursor:pointer;padding:2px 8px}' +
    '.state{margin:0;padding:4px 14px;font-size:13px;background:#fff6d6}.state:empty{display:none}' +
    'ol{flex:1;margin:0;padding:12px;list-style:none;overflow-y:auto;background:#f4f6f9}' +
    'li{max-width:85%;margin:0 0 10px;padding:8px 11px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}' +
    'li.agent,li.hello{background:#fff;border:1px solid #dde3ea}' +
    'li.visitor{margin-left:auto;background:#dbe8ff}' +
    '.who{display:block;font-size:12px;font-weight:600;color:#3b4a5c}' +
    '.mark{display:block;font-size:12px;color:#4d5b6b;text-align:right}.failed .mark{color:#b00020}' +
    '.queue{margin:0;padding:6px 14px;font-size:13px;color:#1f3b63;background:#e8f0fe}.queue:empty{display:none}' +
    '.typing{margin:0;padding:2px 14px;min-height:20px;font-size:13px;font-style:italic;color:#3b4a5c;background:#f4f6f9}' +
    'form{display:flex;gap:8px;padding:10px;border-top:1px solid #dde3ea}' +
    'label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}' +
    'textarea{flex:1;resize:none;height:44px;padding:8px;border:1px solid #9aa7b6;border-radius:8px}' +
    'form button{border:0;border-radius:8px;padding:0 14px;background:#1f5fbf;color:#fff;cursor:pointer}' +
    '.sheet{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px}.sheet[hidden]{display:none}' +
    '.sheet p{margin:0}.field{display:flex;flex-direction:column;gap:3px}' +
    '.field label{position:static;width:auto;height:auto;overflow:visible;clip:auto;font-weight:600;font-size:14px}' +
    '.field input,.field select,.field textarea{height:auto;padding:8px;border:1px solid #9aa7b6;border-radius:8px;font-size:15px}' +
    '.field [aria-invalid="true"]{border-color:#b00020}.error{color:#b00020;font-size:13px}.error:empty{display:none}' +
    '.sheet button{align-self:flex-start;border:0;border-radius:8px;padding:9px 16px;background:#1f5fbf;color:#fff;cursor:pointer}' +
    '.sheet input:focus-visible,.sheet select:focus-visible{outline:3px solid #f5a623;outline-offset:1px}' +
    'li.notice{max-width:none;margin:0 auto 10px;padding:2px 8px;background:none;border:0;' +
    'text-align:center;font-size:13px;color:#3b4a5c}li.notice .who{display:none}' +
    '.survey{display:block;margin-top:8px}.survey form{display:block;border:0;padding:6px 0 0}' +
    '.survey fieldset{border:0;margin:0;padding:0}.survey legend{font-weight:600;padding:0}' +
    '.survey label{position:static;width:auto;height:auto;overflow:visible;clip:auto;margin-right:6px}' +
    '.survey textarea,.survey input[type=email]{display:block;width:100%;height:auto;margin:4px 0;padding:6px;' +
    'border:1px solid #9aa7b6;border-radius:8px}' +
    '.survey button{border:0;border-radius:8px;padding:6px 12px;background:#1f5fbf;color:#fff;cursor:pointer}' +
    '.attach{display:flex;align-items:center;border:1px solid #9aa7b6;border-radius:8px;padding:0 10px;background:#fff;color:#1a1a1a;cursor:pointer}' +
    '.file{display:block;margin-top:6px}.file img{display:block;max-width:200px;max-height:160px;border-radius:6px;margin-bottom:2px}' +
    '.file a{color:#1f4f99}.filenote{margin:0;padding:2px 14px;font-size:13px}.filenote:empty{display:none}.filenote.error{color:#b00020}' +
    '.panel.dropping{outline:3px dashed #1f5fbf;outline-offset:-6px}' +
    '@media (max-width:480px){.panel{inset:0;width:auto;height:auto;max-height:none;border-radius:0}}';

  var launcher = el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false' });
  launcher.textContent = TEXT.open;
  var title = el('h2', { id: 'flc-title' });
  title.textContent = TEXT.title;
  var closer = el('button', { type: 'button', class: 'close', 'aria-label': TEXT.close });
  closer.textContent = '×';
  var state = el('p', { class: 'state', role: 'status' });
  var log = el('ol', { role: 'log', 'aria-live': 'polite', 'aria-label': TEXT.messages });
  var hello = el('li', { class: 'hello' });
  hello.textContent = TEXT.hello;
  log.append(hello);
  // Where the chat waits for an agent, told politely as the queue moves; empty once an agent has it.
  var queueLine = el('p', { class: 'queue', role: 'status', 'aria-live': 'polite' });
  /** The place shown ("<position> <promise>"): the long poll answers at once when it moved. */
  var queuePlace = ' ';
  // Announced politely: a screen reader hears "Ann is typing…" without losing its place.
  var typingCue = el('p', { class: 'typing', 'aria-live': 'polite' });
  var input = el('textarea', { id: 'flc-message', maxlength: String(MAX_LENGTH), rows: '2' });
  var label = el('label', { for: 'flc-message' });
  label.textContent = TEXT.message;
  var sendButton = el('button', { type: 'submit' });
  sendButton.textContent = TEXT.send;
  // Files: the button opens the picker; pasting into the text box or dropping on the window works too.
  var picker = el('input', { type: 'file', multiple: '', hidden: '', tabindex: '-1' });
  var attachButton = el('button', { type: 'button', class: 'attach', 'aria-label': TEXT.attach });
  attachButton.setAttribute('title', TEXT.attach);
  attachButton.append(paperclip());
  var form = el('form', {}, [label, attachButton, picker, input, sendButton]);
  // An upload under way is told politely; a refused file at once (role="alert").
  var fileStatus = el('p', { class: 'filenote', role: 'status' });
  var fileAlert = el('p', { class: 'filenote error', role: 'alert' });
  // The pre-chat form and the "leave a message" form, each in place of the conversation.
  var prechatSheet = el('form', { class: 'sheet', hidden: '', novalidate: '' });
  var leaveSheet = el('form', { class: 'sheet', hidden: '', novalidate: '' });
  var panel = el(
    'section',
    { class: 'panel', id: 'flc-panel', role: 'dialog', 'aria-labelledby': 'flc-title', hidden: '' },
    [
      el('header', {}, [title, closer]),
      state,
      queueLine,
      log,
      typingCue,
      fileStatus,
      fileAlert,
      form,
      prechatSheet,
      leaveSheet,
    ],
  );
  launcher.setAttribute('aria-controls', 'flc-panel');
  root.append(style, launcher, panel);

  function isOpen() {
    return !panel.hidden;
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    launcher.textContent = TEXT.open;
    if (showing === 'chat') input.focus();
    log.scrollTop = log.scrollHeight;
    start();
    reportRead();
    decide();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', function () {
    if (isOpen()) close();
    else open();
  });
  closer.addEventListener('click', close);
  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') close();
  });
  input.addEventListener('keydown', function (event) {
    // Enter sends, Shift+Enter starts a new line: what chat users expect.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener('input', function () {
    if (!input.value.trim() || Date.now() - typingSentAt < 3000) return;
    typingSentAt = Date.now();
    if (socket) socket.send(JSON.stringify({ event: 'typing' }));
    else if (useLongPoll && token) request('POST', '/chat/typing').catch(function () {});
  });
  document.addEventListener('visibilitychange', reportRead);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    typingSentAt = 0;
    post({ id: newId(), text: text, files: [] });
  });

  /** A message of the visitor's: kept until delivered, shown, and sent. */
  function post(message) {
    pending.push(message);
    save(PENDING_KEY, JSON.stringify(pending));
    show({ from: 'visitor', id: message.id, text: message.text, files: message.files });
    start();
    transmit(message);
  }

  // ---- files: each one uploaded, then sent as a message of its own ---------------------------
  attachButton.addEventListener('click', function () {
    picker.click();
  });
  picker.addEventListener('change', function () {
    sendFiles(picker.files);
    picker.value = '';
  });
  input.addEventListener('paste', function (event) {
    var files = event.clipboardData && event.clipboardData.files;
    if (!files || files.length === 0) return;
    event.preventDefault();
    sendFiles(files);
  });
  function carriesFiles(event) {
    return (
      event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, 'Files') >= 0
    );
  }
  panel.addEventListener('dragover', function (event) {
    if (!carriesFiles(event) || showing !== 'chat') return;
    event.preventDefault();
    panel.classList.add('dropping');
  });
  panel.addEventListener('dragleave', function () {
    panel.classList.remove('dropping');
  });
  panel.addEventListener('drop', function (event) {
    panel.classList.remove('dropping');
    if (!carriesFiles(event) || showing !== 'chat') return;
    event.preventDefault();
    sendFiles(event.dataTransfer.files);
  });

  function sendFiles(list) {
    fileAlert.textContent = '';
    Array.prototype.forEach.call(list, upload);
  }

  /** What the service takes (GET /chat/site), once the window has asked: checked before uploading. */
  function fileRefusal(file, status) {
    var limits = siteInfo && siteInfo.files;
    var name = file.name || 'file';
    if (status === 413 || (limits && file.size > limits.maxFileBytes)) {
      return limits
        ? say('tooLarge', { name: name, max: sizeText(limits.maxFileBytes) })
        : say('uploadFailed', { name: name });
    }
    if (status === 415 || (limits && limits.types.indexOf(file.type) < 0)) {
      return say('badType', { name: name });
    }
    return status ? say('uploadFailed', { name: name }) : null;
  }

  function upload(file) {
    var refusal = fileRefusal(file);
    if (refusal) {
      fileAlert.textContent = refusal;
      return;
    }
    fileStatus.textContent = say('uploading', { name: file.name });
    ensureToken()
      .then(function () {
        var body = new FormData();
        body.append('file', file, file.name);
        return fetch(base + '/chat/files', {
          method: 'POST',
          headers: { authorization: 'Bearer ' + token },
          body: body,
        });
      })
      .then(function (response) {
        if (response.status === 401) forgetVisitor();
        if (!response.ok) throw new Error(fileRefusal(file, response.status));
        return response.json();
      })
      .then(
        function (uploaded) {
          fileStatus.textContent = '';
          post({ id: newId(), text: '', files: [uploaded] });
        },
        function (error) {
          fileStatus.textContent = '';
          fileAlert.textContent = error.message || say('uploadFailed', { name: file.name });
        },
      );
  }

  /** A file's bytes as a blob URL: the service wants the token, which an <img> or a link cannot send. */
  var fetched = {};
  function fileUrl(file) {
    if (!fetched[file.digest]) {
      fetched[file.digest] = fetch(base + '/chat/files/' + file.digest, {
        headers: { authorization: 'Bearer ' + token },
      })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.blob();
        })
        .then(
          function (blob) {
            return URL.createObjectURL(blob);
          },
          function (error) {
            delete fetched[file.digest]; // asked again on the next click
            throw error;
          },
        );
    }
    return fetched[file.digest];
  }

  var PICTURE = /^image\/(png|jpeg|gif|webp)$/;

  /** A picture as a thumbnail, and every file as a link with its name and size that downloads it. */
  function fileView(file) {
    var link = el('a', { href: '#' });
    link.textContent = file.fileName + ' (' + sizeText(file.sizeBytes) + ')';
    link.addEventListener('click', function (event) {
      event.preventDefault();
      fileUrl(file).then(
        function (url) {
          var saving = el('a', { href: url, download: file.fileName });
          root.append(saving);
          saving.click();
          saving.remove();
        },
        function () {
          fileAlert.textContent = TEXT.fileFailed;
        },
      );
    });
    var view = el('span', { class: 'file' });
    if (PICTURE.test(file.contentType)) {
      var thumbnail = el('img', { alt: file.fileName });
      view.append(thumbnail);
      fileUrl(file).then(
        function (url) {
          thumbnail.src = url;
        },
        function () {},
      );
    }
    view.append(link);
    return view;
  }

  function sizeText(bytes) {
    if (bytes < 1024) return say('bytes', { n: bytes });
    if (bytes < 1024 * 1024) return say('kilobytes', { n: Math.round(bytes / 1024) });
    return say('megabytes', { n: Number((bytes / (1024 * 1024)).toFixed(1)) });
  }

  // ---- the conversation -----------------------------------------------------------------------
  var shown = {};

  /** Adds a message to the log, or updates the one already there (a resend, a delivery). */
  function show(entry) {
    var key = entry.from + ':' + entry.id;
    var item = shown[key];
    if (!item) {
      item = el('li', { class: entry.from });
      var who = el('span', { class: 'who' });
      who.textContent = entry.from === 'visitor' ? TEXT.you : entry.author;
      var body = el('span', { class: 'text' });
      body.textContent = entry.text;
      item.append(who, body);
      (entry.files || []).forEach(function (file) {
        item.append(fileView(file));
      });
      if (entry.from === 'visitor') item.append(el('span', { class: 'mark' }));
      // Firstline's own lines ("Ann has joined the chat.") read as notices, not as someone talking.
      if (entry.automatic && !entry.survey) item.classList.add('notice');
      if (entry.survey) item.append(surveyOf(entry));
      shown[key] = item;
      log.append(item);
      log.scrollTop = log.scrollHeight;
    }
    if (entry.seq) item.setAttribute('data-seq', String(entry.seq));
    if (entry.delivered) item.setAttribute('data-delivered', '');
    markOf(item);
  }

  /** Sending…, Delivered (Firstline has it) or Read (an agent saw it). */
  function markOf(item) {
    var mark = item.querySelector('.mark');
    if (!mark || item.classList.contains('failed')) return;
    var seq = Number(item.getAttribute('data-seq'));
    if (seq && seq <= agentRead) mark.textContent = TEXT.read;
    else if (item.hasAttribute('data-delivered')) mark.textContent = TEXT.delivered;
    else mark.textContent = TEXT.sending;
  }

  function readUpTo(seq) {
    if (!(seq > agentRead)) return;
    agentRead = seq;
    Object.keys(shown).forEach(function (key) {
      if (key.indexOf('visitor:') === 0) markOf(shown[key]);
    });
  }

  /** The server's wording of the chat's place in line ("You are 2nd in line. …"), or none. */
  function showQueue(queue) {
    if (!queue) return;
    queuePlace = queue.position + ' ' + (queue.expectedAnswerAt || '');
    queueLine.textContent = queue.text || '';
  }

  function showTyping(author, until) {
    clearTimeout(typingTimer);
    // At most 10 s whatever the server says: a cue must not outlive a lost "stop".
    var lasts = Math.min(Math.max(Date.parse(until) - Date.now(), 0), 10000);
    typingCue.textContent = lasts > 0 ? say('typing', { name: author || TEXT.agent }) : '';
    typingTimer = setTimeout(hideTyping, lasts);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typingCue.textContent = '';
  }

  /** Tells the server how far the visitor has seen: only while the window is open and visible. */
  function reportRead() {
    if (!isOpen() || document.visibilityState !== 'visible' || lastSeq <= reportedRead) return;
    var seq = lastSeq;
    if (socket) socket.send(JSON.stringify({ event: 'read', data: { seq: seq } }));
    else if (useLongPoll && token)
      request('POST', '/chat/read', { seq: seq }).catch(function () {});
    else return;
    reportedRead = seq;
  }

  // ---- the end of a chat: stars and a comment, and the transcript by email -----------------------
  /** The forms under a survey message; a rating or transcript already given shows as done. */
  function surveyOf(entry) {
    var box = el('div', { class: 'survey' });
    var path = '/chat/surveys/' + entry.seq;
    var rating = el('div', { role: 'status' });
    if (entry.survey.score) {
      rating.textContent = say('rated', { n: entry.survey.score });
    } else {
      var stars = [1, 2, 3, 4, 5].map(function (n) {
        var id = 'flc-s' + entry.seq + '-' + n;
        var radio = el('input', { type: 'radio', name: 'score', value: String(n), id: id });
        radio.setAttribute('aria-label', say('star', { n: n }));
        var star = el('label', { for: id });
        star.textContent = n + ' ★';
        return el('span', {}, [radio, star]);
      });
      var legend = el('legend');
      legend.textContent = TEXT.rate;
      var commentId = 'flc-c' + entry.seq;
      var commentLabel = el('label', { for: commentId });
      commentLabel.textContent = TEXT.comment;
      var comment = el('textarea', { id: commentId, maxlength: '2000', rows: '2' });
      var send = el('button', { type: 'submit' });
      send.textContent = TEXT.sendRating;
      var rate = el('form', {}, [
        el('fieldset', {}, [legend].concat(stars)),
        commentLabel,
        comment,
        send,
      ]);
      rate.addEventListener('submit', function (event) {
        event.preventDefault();
        var chosen = rate.querySelector('input[name=score]:checked');
        if (!chosen) return;
        send.disabled = true;
        request('POST', path + '/rating', {
          score: Number(chosen.value),
          comment: comment.value,
          locale: locale,
        }).then(
          function (answer) {
            rate.remove();
            rating.textContent = say('rated', { n: answer.score });
          },
          function () {
            send.disabled = false;
            rating.textContent = TEXT.tryAgain;
          },
        );
      });
      box.append(rate);
    }
    box.append(rating);
    var mailed = el('div', { role: 'status' });
    if (entry.survey.transcriptSent) {
      mailed.textContent = TEXT.transcriptSentBefore;
    } else {
      var emailId = 'flc-e' + entry.seq;
      var emailLabel = el('label', { for: emailId });
      emailLabel.textContent = TEXT.transcript;
      var email = el('input', { type: 'email', id: emailId, autocomplete: 'email', required: '' });
      email.setAttribute('placeholder', TEXT.transcriptEmail);
      // The address of the pre-chat form, when the visitor gave one.
      email.value = entry.survey.email || '';
      var mail = el('button', { type: 'submit' });
      mail.textContent = TEXT.sendTranscript;
      var ask = el('form', {}, [emailLabel, email, mail]);
      ask.addEventListener('submit', function (event) {
        event.preventDefault();
        mail.disabled = true;
        request('POST', path + '/transcript', { email: email.value, locale: locale }).then(
          function (answer) {
            ask.remove();
            mailed.textContent = say('transcriptSent', { email: answer.sentTo });
          },
          function () {
            mail.disabled = false;
            mailed.textContent = TEXT.tryAgain;
          },
        );
      });
      box.append(ask);
    }
    box.append(mailed);
    return box;
  }

  function fail(id, reason) {
    var item = shown['visitor:' + id];
    if (!item) return;
    item.classList.add('failed');
    item.querySelector('.mark').textContent = say('notSent', { reason: reason });
  }

  function receive(messages) {
    messages.forEach(function (entry) {
      if (entry.seq <= lastSeq) return;
      lastSeq = entry.seq;
      var isNew = !shown[entry.from + ':' + entry.id];
      show(entry);
      if (entry.from === 'agent') hideTyping();
      if (entry.from === 'agent' && isNew && Date.parse(entry.at) > loadedAt && !isOpen()) {
        unread += 1;
        launcher.textContent = say('unread', { n: unread });
      }
    });
    reportRead();
  }

  function answered(answer) {
    if (answer.status === 'failed') return; // kept in pending: sent again on the next connection
    pending = pending.filter(function (message) {
      return message.id !== answer.clientMessageId;
    });
    save(PENDING_KEY, JSON.stringify(pending));
    if (answer.status === 'delivered') {
      show({ from: 'visitor', id: answer.clientMessageId, seq: answer.seq, delivered: true });
    } else {
      fail(answer.clientMessageId, answer.reason);
    }
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join('');
  }

  // ---- before a chat: the pre-chat form, or a message left when nobody can chat ----------------
  /** What the panel shows: the conversation ('chat'), the pre-chat form or the leave form. */
  var showing = 'chat';
  /** The site's form and availability, asked once per page when the window first opens. */
  var siteInfo = null;
  var asking = false;

  function showSheet(which) {
    showing = which;
    var chat = which === 'chat';
    log.hidden = !chat;
    typingCue.hidden = !chat;
    queueLine.hidden = !chat;
    form.hidden = !chat;
    prechatSheet.hidden = which !== 'prechat';
    leaveSheet.hidden = which !== 'leave';
    var first = chat
      ? input
      : (which === 'prechat' ? prechatSheet : leaveSheet).querySelector(
          'input,select,textarea,[tabindex]',
        );
    if (isOpen() && first) first.focus();
  }

  /**
   * Chooses what the window shows: a conversation under way always goes on; otherwise, when
   * nobody can chat, the leave form; else the pre-chat form once, if the site has one.
   */
  function decide() {
    if (siteInfo === null) {
      if (asking) return;
      asking = true;
      request('GET', '/chat/site?site=' + encodeURIComponent(site) + '&locale=' + locale).then(
        function (info) {
          asking = false;
          siteInfo = info;
          decide();
        },
        function () {
          asking = false; // the chat itself still works; the forms are asked again next time
        },
      );
      return;
    }
    var underWay = lastSeq > 0 || pending.length > 0;
    if (underWay || showing !== 'chat') return;
    if (siteInfo.availability.state !== 'open') {
      buildLeaveSheet(siteInfo.availability);
      showSheet('leave');
    } else if (siteInfo.prechat && !load(PROFILE_KEY)) {
      buildPrechatSheet(siteInfo.prechat);
      showSheet('prechat');
    }
  }

  /** A labelled field with its own error line, read out with it (aria-describedby). */
  function field(name, label, control, rule) {
    var id = 'flc-' + name;
    control.setAttribute('id', id);
    control.setAttribute('name', name);
    control.setAttribute('aria-describedby', id + '-error');
    if (rule === 'required') control.setAttribute('aria-required', 'true');
    var text = el('label', { for: id });
    text.textContent = rule === 'optional' ? say('optional', { label: label }) : label;
    var error = el('p', { class: 'error', id: id + '-error' });
    return el('div', { class: 'field' }, [text, control, error]);
  }

  function identityFields(rules, topics) {
    var fields = [];
    if (rules.name !== 'off') {
      fields.push(
        field(
          'name',
          TEXT.name,
          el('input', { type: 'text', autocomplete: 'name', maxlength: '200' }),
          rules.name,
        ),
      );
    }
    if (rules.email !== 'off') {
      fields.push(
        field(
          'email',
          TEXT.email,
          el('input', { type: 'email', autocomplete: 'email', maxlength: '254' }),
          rules.email,
        ),
      );
    }
    if (topics && topics.length > 0) {
      var choose = el('select', {}, [el('option', { value: '' })]);
      choose.firstChild.textContent = TEXT.chooseTopic;
      topics.forEach(function (topic) {
        var option = el('option', { value: topic.value });
        option.textContent = topic.label;
        choose.append(option);
      });
      fields.push(field('topic', TEXT.topic, choose, 'required'));
    }
    return fields;
  }

  /**
   * Marks the fields named in `problems` ({ field: message }) and announces the summary; focus
   * goes to the first one to fix. Returns whether there was anything to fix.
   */
  function flag(sheet, problems) {
    var first = null;
    sheet.querySelectorAll('input,select,textarea').forEach(function (control) {
      var problem = problems[control.name];
      control.setAttribute('aria-invalid', problem ? 'true' : 'false');
      root.getElementById(control.id + '-error').textContent = problem || '';
      if (problem && !first) first = control;
    });
    sheet.querySelector('[role="alert"]').textContent = first ? TEXT.errors : '';
    if (first) first.focus();
    return !!first;
  }

  function valueOf(sheet, name) {
    var control = sheet.querySelector('[name="' + name + '"]');
    return control ? control.value.trim() : '';
  }

  var EMAIL = /^[^\s@<>(),;:"]{1,64}@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]{2,}$/;

  /** The same rules as the service's (libs/chat site.ts), so most mistakes are shown at once. */
  function check(sheet, rules, extra) {
    var problems = {};
    var name = valueOf(sheet, 'name');
    var email = valueOf(sheet, 'email');
    if (rules.name === 'required' && !name) problems.name = TEXT.errName;
    if ((rules.email === 'required' && !email) || (email && !EMAIL.test(email)))
      problems.email = TEXT.errEmail;
    if (sheet.querySelector('[name="topic"]') && !valueOf(sheet, 'topic'))
      problems.topic = TEXT.errTopic;
    Object.keys(extra || {}).forEach(function (key) {
      problems[key] = extra[key];
    });
    return problems;
  }

  var FIELD_ERRORS = { name: 'errName', email: 'errEmail', topic: 'errTopic' };

  function buildPrechatSheet(prechat) {
    var intro = el('p');
    intro.textContent = TEXT.prechatIntro;
    var submit = el('button', { type: 'submit' });
    submit.textContent = TEXT.startChat;
    prechatSheet.replaceChildren(intro, el('p', { role: 'alert', class: 'error' }));
    identityFields(prechat, prechat.topics).forEach(function (row) {
      prechatSheet.append(row);
    });
    prechatSheet.append(submit);
    prechatSheet.onsubmit = function (event) {
      event.preventDefault();
      if (flag(prechatSheet, check(prechatSheet, prechat))) return;
      var answers = {
        site: site,
        name: valueOf(prechatSheet, 'name'),
        email: valueOf(prechatSheet, 'email'),
      };
      if (valueOf(prechatSheet, 'topic')) answers.topic = valueOf(prechatSheet, 'topic');
      ensureToken()
        .then(function () {
          return request('POST', '/chat/profile', answers);
        })
        .then(
          function () {
            save(PROFILE_KEY, '1');
            showSheet('chat');
            start();
          },
          function (error) {
            var problems = {};
            ((error.body && error.body.details && error.body.details.fields) || []).forEach(
              function (problem) {
                problems[problem.field] = TEXT[FIELD_ERRORS[problem.field]];
              },
            );
            if (!flag(prechatSheet, problems)) state.textContent = TEXT.startFailed;
          },
        );
    };
  }

  function buildLeaveSheet(availability) {
    var notice = el('p', { id: 'flc-leave-notice' });
    notice.textContent =
      availability.state === 'no_agent'
        ? TEXT.noAgent
        : availability.opensAt
          ? say('closedAt', {
              when: new Date(availability.opensAt).toLocaleString(locale, {
                weekday: 'long',
                hour: '2-digit',
                minute: '2-digit',
              }),
            })
          : TEXT.closed;
    leaveSheet.setAttribute('aria-describedby', 'flc-leave-notice');
    var rules = { name: 'optional', email: 'required' };
    var topics = siteInfo.prechat ? siteInfo.prechat.topics : [];
    var text = el('textarea', { rows: '4', maxlength: String(MAX_LENGTH) });
    var submit = el('button', { type: 'submit' });
    submit.textContent = TEXT.leaveSend;
    leaveSheet.replaceChildren(notice, el('p', { role: 'alert', class: 'error' }));
    identityFields(rules, topics).forEach(function (row) {
      leaveSheet.append(row);
    });
    leaveSheet.append(field('text', TEXT.leaveText, text, 'required'), submit);
    // One id per message: sending it again after a lost answer is the same message.
    var messageId = newId();
    var sending = false;
    leaveSheet.onsubmit = function (event) {
      event.preventDefault();
      if (sending) return;
      var problems = check(
        leaveSheet,
        rules,
        valueOf(leaveSheet, 'text') ? {} : { text: TEXT.errText },
      );
      if (flag(leaveSheet, problems)) return;
      var message = {
        site: site,
        clientMessageId: messageId,
        name: valueOf(leaveSheet, 'name'),
        email: valueOf(leaveSheet, 'email'),
        text: valueOf(leaveSheet, 'text'),
        locale: locale,
      };
      if (valueOf(leaveSheet, 'topic')) message.topic = valueOf(leaveSheet, 'topic');
      sending = true;
      ensureToken()
        .then(function () {
          return request('POST', '/chat/left-messages', message);
        })
        .then(
          function (answer) {
            sending = false;
            if (answer.status !== 'delivered') {
              leaveSheet.querySelector('[role="alert"]').textContent = say('leaveFailed', {
                reason: answer.reason,
              });
              return;
            }
            var done = el('p', { role: 'status', tabindex: '-1' });
            done.textContent = say('left', { email: message.email });
            leaveSheet.replaceChildren(done);
            done.focus();
          },
          function () {
            sending = false;
            leaveSheet.querySelector('[role="alert"]').textContent = TEXT.startFailed;
          },
        );
    };
  }

  // ---- the connection ---------------------------------------------------------------------------
  var socket = null;
  var connecting = false;
  var polling = false;
  /** Set once a WebSocket failed to open twice in a row: the network blocks them. */
  var useLongPoll = false;
  var failedOpens = 0;
  var retryMs = 1000;
  var retryTimer = null;

  function request(method, path, body) {
    var headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    return fetch(base + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 401) forgetVisitor();
      if (response.status === 204) return null;
      return response.json().then(function (answer) {
        if (response.ok) return answer;
        var error = new Error('HTTP ' + response.status);
        error.body = answer; // the fields to correct, where the service names them
        throw error;
      });
    });
  }

  /** The visitor's token, made on first need (a chat, a form) and only once at a time. */
  var session = null;
  function ensureToken() {
    if (token) return Promise.resolve(token);
    if (!session) {
      session = request('POST', '/chat/session', { locale: locale }).then(
        function (answer) {
          session = null;
          token = answer.token;
          save(TOKEN_KEY, token);
          return token;
        },
        function (error) {
          session = null;
          throw error;
        },
      );
    }
    return session;
  }

  /** The server no longer knows the token (a new secret, a wiped database): start afresh. */
  function forgetVisitor() {
    token = null;
    save(TOKEN_KEY, null);
  }

  function start() {
    if (token) return connect();
    state.textContent = TEXT.connecting;
    ensureToken().then(
      function () {
        state.textContent = '';
        connect();
      },
      function () {
        state.textContent = TEXT.startFailed;
      },
    );
  }

  function connect() {
    if (socket || connecting || polling || !token) return;
    if (useLongPoll) return poll();
    connecting = true;
    var opened = false;
    var url =
      base.replace(/^http/, 'ws') +
      '/chat/ws?token=' +
      encodeURIComponent(token) +
      '&after=' +
      lastSeq +
      '&page=' +
      encodeURIComponent(window.location.href);
    var ws;
    try {
      ws = new WebSocket(url);
    } catch {
      connecting = false;
      useLongPoll = true;
      return poll();
    }
    ws.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === 'ready') {
        opened = true;
        connecting = false;
        socket = ws;
        failedOpens = 0;
        retryMs = 1000;
        state.textContent = '';
        // A new socket: reading is told again, in case the last report was lost with the old one.
        reportedRead = 0;
        readUpTo(data.agentRead);
        showQueue(data.queue);
        pending.forEach(transmit);
      } else if (data.type === 'messages') {
        receive(data.messages);
      } else if (data.type === 'answer') {
        answered(data);
      } else if (data.type === 'typing') {
        showTyping(data.author, data.until);
      } else if (data.type === 'read') {
        readUpTo(data.agentRead);
      } else if (data.type === 'queue') {
        showQueue(data);
      }
    };
    ws.onclose = function (event) {
      connecting = false;
      socket = null;
      if (event.code === 4401) {
        forgetVisitor();
        return;
      }
      // Open in too many windows: WebSockets work, one of the others may close; wait the longest.
      if (event.code === 4429) retryMs = 15000;
      else if (!opened && ++failedOpens >= 2) useLongPoll = true;
      if (pending.length > 0 || isOpen()) state.textContent = TEXT.offline;
      retryLater();
    };
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  }

  /** The fallback: one request waiting for what is new, again and again. */
  function poll() {
    if (polling || !token) return;
    polling = true;
    pending.forEach(transmit);
    var known = '&read=' + agentRead + '&place=' + encodeURIComponent(queuePlace);
    request('GET', '/chat/messages?after=' + lastSeq + known).then(
      function (body) {
        polling = false;
        retryMs = 1000;
        state.textContent = '';
        receive(body.messages);
        readUpTo(body.agentRead);
        showQueue(body.queue);
        if (body.typing) showTyping(body.typing.author, body.typing.until);
        poll();
      },
      function () {
        polling = false;
        state.textContent = TEXT.offline;
        retryLater();
      },
    );
  }

  function transmit(message) {
    var data = { clientMessageId: message.id, text: message.text, locale: locale };
    if (message.files && message.files.length > 0) {
      data.files = message.files.map(function (file) {
        return file.digest;
      });
    }
    if (socket) {
      socket.send(JSON.stringify({ event: 'send', data: data }));
    } else if (useLongPoll && token && !posting[message.id]) {
      posting[message.id] = true;
      request('POST', '/chat/messages', data)
        .then(answered, function () {
          state.textContent = TEXT.offline;
        })
        .then(function () {
          delete posting[message.id];
        });
    }
    // Otherwise it waits in `pending` for the connection to open.
  }

  function mount() {
    document.body.append(host);
    pending.forEach(function (message) {
      show({ from: 'visitor', id: message.id, text: message.text, files: message.files });
    });
    // A returning visitor sees the conversation (and new replies) without opening the window.
    if (token) connect();
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
