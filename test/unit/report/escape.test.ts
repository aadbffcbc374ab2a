import { describe, expect, it } from 'vitest';
import { csvCell, escapeHtml, escapeXml, escapeXmlAttr, jsonForScript } from '../../../src/report/escape.js';
import { HOSTILE } from '../../fixtures/report/synthetic-fleet.js';

const payloads = Object.values(HOSTILE).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));

describe('escapeHtml', () => {
  it('leaves no markup character in element or attribute context', () => {
    for (const p of payloads) {
      const out = escapeHtml(p);
      expect(out).not.toMatch(/[<>"']/);
      expect(out.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
    }
    expect(escapeHtml('<img src=x onerror="a">&\'')).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;');
  });
});

describe('jsonForScript', () => {
  it('cannot close the script element or start a comment, and reads back unchanged', () => {
    const value = { vm: HOSTILE.vmName2, msg: HOSTILE.message, ev: HOSTILE.evidence, ls: 'a\u2028b\u2029c', amp: 'a&b' };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(out.toLowerCase()).not.toContain('</script');
    expect(JSON.parse(out)).toEqual(value);
  });
});

describe('escapeXml', () => {
  it('escapes markup and replaces characters XML 1.0 cannot carry', () => {
    expect(escapeXml('<a b="c">&\'')).toBe('&lt;a b=&quot;c&quot;&gt;&amp;&apos;');
    expect(escapeXml('bell\u0007 esc\u001b[31m nul\u0000 ok\ttab\nline')).toBe('bell\ufffd esc\ufffd[31m nul\ufffd ok\ttab\nline');
    expect(escapeXml('lone \ud800 high, lone \udc00 low, pair \ud83d\ude00')).toBe('lone \ufffd high, lone \ufffd low, pair \ud83d\ude00');
    expect(escapeXml('\ufffe\uffff')).toBe('\ufffd\ufffd');
  });
  it('keeps line breaks in attributes as character references', () => {
    expect(escapeXmlAttr('a\nb\r\tc')).toBe('a&#10;b&#13;&#9;c');
  });
});

describe('csvCell', () => {
  it('neutralises spreadsheet formulas', () => {
    for (const f of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])
      expect(csvCell(f).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('hv01')).toBe('hv01');
    expect(csvCell(-5)).toBe('-5');
  });
  it('quotes per RFC 4180', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=cmd|"/c calc"!A1')).toBe('"\'=cmd|""/c calc""!A1"');
    expect(csvCell(null)).toBe('');
  });
  it('shows terminal escapes and bidi overrides instead of passing them through', () => {
    expect(csvCell('red \u001b[31mALERT\u001b[0m')).toBe('red \\x1b[31mALERT\\x1b[0m');
    expect(csvCell('abc\u202edcba')).toBe('abc\\x202edcba');
    expect(csvCell('tab\tand\nline')).toBe('"tab\tand\nline"');
  });
});
