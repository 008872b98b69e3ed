// How a new live chat gets an agent's attention: a short chime (made with Web Audio, so there is
// no sound file to ship), unless the agent muted it, and the tab's title flashing while the console
// is in the background. A chat is answered within a minute; a silent row is easy to miss.

const MUTED_KEY = 'firstline.chatSoundMuted';

export function chatSoundMuted(): boolean {
  return localStorage.getItem(MUTED_KEY) === 'true';
}

export function setChatSoundMuted(muted: boolean): void {
  localStorage.setItem(MUTED_KEY, String(muted));
}

let audio: AudioContext | undefined;

/** Two rising notes, a quarter of a second each, quiet. */
export function playChime(): void {
  if (chatSoundMuted()) return;
  audio ??= new AudioContext();
  // Browsers start audio suspended until the page had a click; the console had the sign-in's.
  void audio.resume();
  const start = audio.currentTime;
  [880, 1320].forEach((frequency, index) => {
    const note = audio!.createOscillator();
    const volume = audio!.createGain();
    const at = start + index * 0.12;
    note.frequency.value = frequency;
    volume.gain.setValueAtTime(0.0001, at);
    volume.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
    note.connect(volume).connect(audio!.destination);
    note.start(at);
    note.stop(at + 0.3);
  });
}

let flashing: number | undefined;

/** Alternates the title with `text` until the agent comes back to the console's tab. */
export function flashTitle(text: string): void {
  if (flashing !== undefined || document.hasFocus()) return;
  const title = document.title;
  let shown = false;
  flashing = window.setInterval(() => {
    shown = !shown;
    document.title = shown ? text : title;
  }, 1000);
  window.addEventListener(
    'focus',
    () => {
      window.clearInterval(flashing);
      flashing = undefined;
      document.title = title;
    },
    { once: true },
  );
}
