import { sanitiseHtml } from '../src/tickets/sanitise-html';

describe('inbound HTML', () => {
  it.each`
    html                                                    | stored
    ${'<p>Hi <b>there</b></p>'}                             | ${'<p>Hi <b>there</b></p>'}
    ${'<script>alert(1)</script>ok'}                        | ${'ok'}
    ${'<img src="x" onerror="alert(1)">'}                   | ${'<img src="x" />'}
    ${'<a href="javascript:alert(1)">x</a>'}                | ${'<a>x</a>'}
    ${'<img src="cid:logo@mail">'}                          | ${'<img src="cid:logo@mail" />'}
    ${'<iframe src="https://evil.example"></iframe>text'}   | ${'text'}
    ${'<p style="position:fixed" onclick="x()">styled</p>'} | ${'<p>styled</p>'}
    ${''}                                                   | ${''}
  `('$html is stored as $stored', ({ html, stored }) => {
    expect(sanitiseHtml(html)).toBe(stored);
  });
});
