/** The report's stylesheet: dense, print-friendly, no web fonts or images (the page works offline). */
export const PAGE_STYLE = `
:root{--fg:#1d2329;--muted:#5f6b76;--line:#d5dbe1;--bg:#fff;--panel:#f6f8fa;--link:#0b5cad;
--pass:#bfe0c0;--fail:#d93f3f;--error:#8e44ad;--warn:#f2b233;--skip:#cfd6dc;--none:#fff;--unr:#7a6a5f;
--crit:#8b1111;--high:#d9480f;--med:#e8a317;--low:#607585;--info:#98a6b3;--row:20px}
*{box-sizing:border-box}
html,body{margin:0;padding:0;background:var(--bg);color:var(--fg)}
body{font:12.5px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;padding:10px 14px 40px}
h1{font-size:17px;margin:0 0 2px;font-weight:600}
h2{font-size:13px;margin:0 0 6px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
button{font:inherit;cursor:pointer}
.link{background:none;border:0;padding:0;color:var(--link);text-align:left}
.link:hover{text-decoration:underline}
.muted{color:var(--muted)}
.meta{color:var(--muted);margin-bottom:8px}
.meta b{color:var(--fg);font-weight:600}
.tiles{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0 12px}
.tile{border:1px solid var(--line);border-radius:4px;padding:5px 10px 6px;min-width:92px;background:var(--panel);text-align:left;color:var(--fg)}
.tile .v{display:block;font-size:20px;font-weight:600;line-height:1.15;font-variant-numeric:tabular-nums}
.tile .l{display:block;font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.tile.bad .v{color:var(--fail)}.tile.unr .v{color:var(--unr)}.tile.good .v{color:#2e7d32}.tile.fixd .v{color:#1565c0}
.tile.zero .v{color:var(--muted)}
button.tile:hover{border-color:#9aa7b3}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px;margin-bottom:12px}
.panel{border:1px solid var(--line);border-radius:4px;padding:8px 10px;min-width:0}
table{border-collapse:collapse}
.list{width:100%}
.list th{text-align:left;font-weight:600;color:var(--muted);font-size:11px;text-transform:uppercase;border-bottom:1px solid var(--line);padding:2px 6px 3px 0}
.list td{padding:2px 6px 2px 0;border-bottom:1px solid #eef1f4;vertical-align:top}
.list tr.pick{cursor:pointer}.list tr.pick:hover td{background:#f0f5fb}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{display:inline-block;height:8px;background:var(--fail);border-radius:1px;vertical-align:middle;margin-left:4px}
.sev{display:inline-block;padding:0 5px;border-radius:3px;font-size:10.5px;font-weight:600;color:#fff;text-transform:uppercase;line-height:16px;white-space:nowrap}
.sev-critical{background:var(--crit)}.sev-high{background:var(--high)}.sev-medium{background:var(--med);color:#2b2100}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.st{display:inline-block;min-width:38px;text-align:center;padding:0 4px;border-radius:3px;font-size:10.5px;font-weight:600;line-height:16px;text-transform:uppercase;white-space:nowrap}
.st-fail{background:var(--fail);color:#fff}.st-error{background:var(--error);color:#fff}.st-warn{background:var(--warn);color:#2b2100}
.st-pass{background:var(--pass);color:#123d16}.st-skipped{background:var(--skip);color:#333}.st-unreachable{background:var(--unr);color:#fff}
.st-ok,.st-changed{background:var(--pass);color:#123d16}.st-failed{background:var(--fail);color:#fff}.st-none{background:#eee;color:#666}
.hosts{line-height:1.6}
.hosts .link{margin-right:8px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
.chips{display:flex;flex-wrap:wrap;gap:4px;margin-bottom:6px}
.chip{border:1px solid var(--line);border-radius:12px;padding:1px 9px;background:#fff;color:var(--fg)}
.chip[aria-pressed=true]{background:#1d2329;color:#fff;border-color:#1d2329}
.chip b{font-variant-numeric:tabular-nums}
.changes .grp{margin:3px 0 5px}
.changes .grp>.mono{font-weight:600}
.hist{font-family:ui-monospace,monospace;letter-spacing:1px;margin-right:8px}
.hist i{font-style:normal;display:inline-block;width:9px;height:9px;margin-right:1px;border-radius:1px;vertical-align:middle}
.nowrap{white-space:nowrap}
.since{font-size:11.5px}
.empty{color:var(--muted);font-style:italic;padding:4px 0}
#trend{min-height:60px}
.toolbar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-bottom:6px}
.toolbar input[type=search]{width:220px}
.toolbar input,.toolbar select{font:inherit;padding:2px 4px;border:1px solid #b9c2cb;border-radius:3px;background:#fff;max-width:260px}
.toolbar label{color:var(--muted)}
#mx-count{color:var(--muted);margin-left:auto;font-variant-numeric:tabular-nums}
#mx-wrap{overflow:auto;max-height:calc(100vh - 90px);min-height:200px;border:1px solid var(--line);border-radius:4px;position:relative;contain:strict;height:calc(100vh - 90px)}
#mx{table-layout:fixed;border-collapse:separate;border-spacing:0}
#mx th,#mx td{padding:0;height:var(--row);line-height:var(--row);white-space:nowrap;overflow:hidden}
#mx thead th{position:sticky;top:0;background:#fff;z-index:2;border-bottom:1px solid var(--line);vertical-align:bottom;font-weight:500}
#mx thead th.ck{width:22px;min-width:22px;max-width:22px;height:182px;cursor:pointer}
#mx thead th.ck span{writing-mode:vertical-rl;transform:rotate(180deg);display:inline-block;padding:4px 0;max-height:180px;overflow:hidden;text-overflow:ellipsis;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11px;line-height:22px;width:22px}
#mx thead th.ck:hover,#mx thead th.sorted{background:#eef3f8}
#mx thead th.hn{left:0;z-index:3;text-align:left;padding-left:6px;cursor:pointer;width:210px;min-width:210px}
#mx thead th.nf{width:38px;cursor:pointer;text-align:right;padding-right:6px}
#mx td.hn{position:sticky;left:0;background:#fff;z-index:1;padding-left:6px;width:210px;max-width:210px;text-overflow:ellipsis;border-right:1px solid var(--line);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
#mx td.nf{text-align:right;padding-right:6px;color:var(--muted);font-variant-numeric:tabular-nums}
#mx td.nf.bad{color:var(--fail);font-weight:600}
#mx tbody tr{cursor:pointer}
#mx tbody tr:hover td.hn{background:#e3edf7}
#mx td.c{width:22px;text-align:center;font-size:11px;overflow:visible;text-overflow:clip;box-shadow:inset -1px -1px 0 #fff;color:rgba(0,0,0,.55)}
.c-p{background:var(--pass)}.c-f{background:var(--fail);color:#fff!important}.c-e{background:var(--error);color:#fff!important}
.c-w{background:var(--warn)}.c-s{background:var(--skip)}.c-n{background:#f4f6f8}
#mx td.unr{background:repeating-linear-gradient(135deg,#efe9e4 0 6px,#e6ddd5 6px 12px);color:#4e4038;padding-left:6px;text-overflow:ellipsis}
#mx tr.sel td.hn{background:#dbe9f7}
.res.focus{background:#fff8e1}
details.res.small{padding:1px 0}
details.res.small>summary.line{display:flex;gap:6px;align-items:center;list-style:none;cursor:pointer;white-space:nowrap;overflow:hidden}
details.res.small>summary.line::-webkit-details-marker{display:none}
details.res.small>summary.line .muted{overflow:hidden;text-overflow:ellipsis}
details.res.small[open]>summary.line{white-space:normal}
details.res.small>.msg{display:none}
#drawer{position:fixed;top:0;right:0;bottom:0;width:min(640px,100vw);background:#fff;border-left:1px solid #aab4be;box-shadow:-4px 0 16px rgba(0,0,0,.12);overflow:auto;padding:10px 14px 30px;z-index:10}
#drawer[hidden]{display:none}
#drawer h3{margin:0;font-size:15px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
#drawer .close{float:right;border:1px solid var(--line);background:#fff;border-radius:3px;padding:1px 8px}
#drawer h4{font-size:11px;text-transform:uppercase;color:var(--muted);margin:12px 0 4px;letter-spacing:.04em}
.res{border-top:1px solid #eef1f4;padding:4px 0 5px}
.res .head{display:flex;gap:6px;align-items:center;flex-wrap:wrap}
.res .id{font-weight:600}
.res .msg{margin:2px 0 0 0;white-space:pre-wrap;word-break:break-word}
.res details{margin:3px 0 0}
.res summary{cursor:pointer;color:var(--muted);font-size:11.5px}
pre{margin:3px 0 0;padding:5px 7px;background:var(--panel);border:1px solid #e3e8ed;border-radius:3px;white-space:pre-wrap;word-break:break-word;max-height:340px;overflow:auto;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px}
.tag{font-size:11px;padding:0 5px;border-radius:3px;background:#e8eef5;color:#234}
.tag-n{background:#fde2e2;color:#8b1111}.tag-x{background:#dcf0dc;color:#1b5e20}.tag-f{background:#fff0c2;color:#6b4e00}
.kv td{padding:1px 8px 1px 0;vertical-align:top;border-bottom:1px solid #f0f2f4}
.kv td:first-child{color:var(--muted);white-space:nowrap}
.reason{background:#f7efe9;border:1px solid #e7d8cc;padding:4px 7px;border-radius:3px;margin:6px 0;white-space:pre-wrap;word-break:break-word}
.legend{color:var(--muted);font-size:11px;margin-top:4px}
.legend i{display:inline-block;width:10px;height:10px;margin:0 3px 0 8px;vertical-align:-1px;border-radius:1px}
footer{color:var(--muted);font-size:11px;margin-top:14px}
@media print{#drawer,.toolbar{display:none}#mx-wrap{max-height:none;height:auto;overflow:visible;contain:none}}
`;
