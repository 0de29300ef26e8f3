// The dashboard's one stylesheet, served by the Worker at /admin/ui/dashboard.css (the CSP allows no inline style).
// Series colours s0..s7 are a colour-blind-safe palette (Okabe-Ito), shared by lines, bands, bars, dots and legends;
// some lines are dashed too, so overlapping series stay apart.
export const DASHBOARD_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2733;background:#f5f7fa}
header{display:flex;align-items:center;gap:20px;flex-wrap:wrap;background:#17324d;color:#fff;padding:10px 24px}
header .brand{font-weight:700;font-size:16px;color:#fff;text-decoration:none}
nav a{color:#cfe0f2;text-decoration:none;margin-right:14px;padding:4px 0;border-bottom:2px solid transparent}
nav a.active,nav a:hover{color:#fff;border-bottom-color:#7fb8ee}
header form{margin:0}
header .spacer{flex:1}
header select,header button{font:inherit}
main{max-width:1100px;margin:0 auto;padding:18px 24px 48px}
h1{font-size:22px;margin:6px 0 14px}
h2{font-size:17px;margin:26px 0 10px}
h3{font-size:15px;margin:18px 0 8px}
p.hint,.muted{color:#5b6b7c}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin:8px 0 8px}
.tile{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:10px 14px}
.tile .v{font-size:22px;font-weight:650}
.tile .k{color:#5b6b7c;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:14px}
figure.chart{margin:0;background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:10px 12px 6px}
figure.chart figcaption{font-weight:600;margin-bottom:2px}
figure.chart svg{width:100%;height:auto;display:block}
svg text{font-size:13px;fill:#44525f}
svg .axis-label{font-size:13px;fill:#5b6b7c}
svg .grid{stroke:#e6ebf0}
svg .baseline,svg .tick{stroke:#8593a1}
svg .empty{font-size:15px;fill:#8593a1}
svg .line{fill:none;stroke-width:2}
svg .band{stroke:none;fill-opacity:.16}
svg .pt{stroke:#fff;stroke-width:1}
svg .bar{stroke:none}
svg .legend text{font-size:14px;fill:#1d2733}
.s0{--c:#0072b2}.s1{--c:#e69f00}.s2{--c:#009e73}.s3{--c:#cc79a7}.s4{--c:#56b4e9}.s5{--c:#d55e00}.s6{--c:#7a7a00}.s7{--c:#555}
.series .line{stroke:var(--c)}.s1 .line,.s4 .line{stroke-dasharray:6 3}.s3 .line,.s6 .line{stroke-dasharray:2 3}.series .band,.series .pt,.series .bar,.key{fill:var(--c)}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde3ea;border-radius:8px;overflow:hidden;margin:6px 0 10px}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #edf0f3;vertical-align:top}
th{background:#eef2f6;font-weight:600;font-size:13px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr:last-child td{border-bottom:none}
.ci{color:#5b6b7c;font-size:12px;white-space:nowrap}
.verdict{padding:8px 12px;border-left:4px solid #9aa7b4;background:#f4f6f8}
.verdict.winner{border-color:#1f7a4d}
.verdict.sample_ratio_mismatch{border-color:#b3261e}
.significant{font-weight:600}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e4e9ef;color:#33414e}
.badge.running,.badge.serving{background:#d9f2e3;color:#17663a}.badge.stopped{background:#f4e3d3;color:#7a4310}.badge.draft{background:#e4e9ef}
.badge.state-current{background:#d9f2e3;color:#17663a}.badge.state-canary{background:#fff1c9;color:#7a5a00}.badge.state-rolled_back{background:#fbe1e1;color:#8f2020}
.actions{display:flex;gap:6px;flex-wrap:wrap;align-items:center}
.actions form{margin:0}
.actions form.publish{margin-left:auto;background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:5px 8px}
.actions form.publish input{width:5em}
.rotate form{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:5px 8px}
button,.button{font:inherit;padding:5px 12px;border-radius:6px;border:1px solid #2b5f8f;background:#2b6cb0;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2b5f8f}
button.danger{background:#b83232;border-color:#8f2020}
input,select{font:inherit;padding:4px 6px;border:1px solid #b9c4cf;border-radius:6px}
.notice,.error{padding:9px 12px;border-radius:6px;margin:8px 0 14px}
.notice{background:#e3f4ea;border:1px solid #9fd3b3}
.error{background:#fbe6e6;border:1px solid #e3a3a3}
.secret{background:#fff8dc;border:1px solid #e6cf73;padding:9px 12px;border-radius:6px;word-break:break-all}
.signin{max-width:380px;margin:80px auto;background:#fff;border:1px solid #dde3ea;border-radius:10px;padding:22px 24px}
.signin label{display:block;margin:10px 0 4px;font-weight:600}
.signin input{width:100%}
.signin button{margin-top:14px;width:100%}
`;
