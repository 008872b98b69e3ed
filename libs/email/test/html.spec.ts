import { sanitiseHtml } from '../src/html';

/**
 * The one sanitising policy for inbound HTML, applied where it enters (docs/adr/0015): the
 * tickets service stores and shows what comes out of it, unchanged.
 */
describe('sanitiseHtml', () => {
  it.each`
    html                                                              | kept
    ${'<p>Hi <b>there</b></p>'}                                       | ${'<p>Hi <b>there</b></p>'}
    ${'<script>alert(1)</script>ok'}                                  | ${'ok'}
    ${'<img src="x" onerror="alert(1)">'}                             | ${'<img src="x" />'}
    ${'<a href="javascript:alert(1)">x</a>'}                          | ${'<a>x</a>'}
    ${'<img src="cid:logo@mail">'}                                    | ${'<img src="cid:logo@mail" />'}
    ${'<img src="https://tracker.example/pixel.gif">'}                | ${'<img />'}
    ${'<iframe src="https://evil.example"></iframe>text'}             | ${'text'}
    ${'<form action="https://x"><input name="a"></form>after'}        | ${'after'}
    ${'<p style="position:fixed" onclick="x()">styled</p>'}           | ${'<p>styled</p>'}
    ${'<p style="color: red">Hi <font color="blue">there</font></p>'} | ${'<p style="color:red">Hi <font color="blue">there</font></p>'}
    ${''}                                                             | ${''}
  `('$html is kept as $kept', ({ html, kept }) => {
    expect(sanitiseHtml(html)).toBe(kept);
  });
});
