"""Hostile input: what attackers and careless clients send to a comment form.

Every entry contains `{js}`, a piece of JavaScript that would set a marker if it
ever ran; `payloads()` fills it in. The sanitizer tests only need the markup;
the browser tests check that no marker is ever set.
"""

HOSTILE_TEMPLATES = [
    # Script elements, plain and disguised.
    "<script>{js}</script>",
    "<SCRIPT>{js}</SCRIPT>",
    "<ScRiPt>{js}</sCrIpT>",
    "<script src=data:text/javascript,{js}></script>",
    "<script/x>{js}</script>",
    "<<script>{js};//<</script>",
    "<script>{js}",
    "</textarea><script>{js}</script>",
    "</title><script>{js}</script>",
    "<!--<script>{js}</script>-->",
    "<![CDATA[<script>{js}</script>]]>",
    # Event handlers.
    "<img src=x onerror={js}>",
    '<img src="x" onerror="{js}">',
    "<IMG SRC=x OnErRoR={js}>",
    "<img src=x onerror\x0b={js}>",
    '<body onload="{js}">',
    '<b onmouseover="{js}">hover</b>',
    '<a href="https://example.org" onclick="{js}">link</a>',
    '<a href="#" onfocus="{js}" autofocus>focus</a>',
    '<input autofocus onfocus="{js}">',
    '<details open ontoggle="{js}">',
    '<video><source onerror="{js}"></video>',
    '<audio src=x onerror="{js}">',
    '<marquee onstart="{js}">',
    '<div onpointerenter="{js}">area</div>',
    # URL schemes.
    '<a href="javascript:{js}">click</a>',
    '<a href="JAVASCRIPT:{js}">click</a>',
    '<a href=" javascript:{js}">click</a>',
    '<a href="java\tscript:{js}">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:{js}">click</a>',
    '<a href="&#x6A;avascript:{js}">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html,<script>{js}</script>">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "javascript:{js}",
    "[click](javascript:{js})",
    # SVG and MathML.
    "<svg onload={js}>",
    "<svg><script>{js}</script></svg>",
    '<svg><a xlink:href="javascript:{js}"><text>x</text></a></svg>',
    '<svg><animate onbegin="{js}" attributeName="x" dur="1s">',
    '<svg><foreignObject><img src=x onerror="{js}"></foreignObject></svg>',
    '<math><mtext><img src=x onerror="{js}"></mtext></math>',
    '<math href="javascript:{js}">CLICK</math>',
    '<math><mi xlink:href="javascript:{js}">x</mi></math>',
    # Broken and nested markup, parser confusion.
    '<a href="https://example.org/<img src=x onerror={js}>">x</a>',
    '<b><i><a href="javascript:{js}">deep</a></i></b>',
    '<a href="https://example.org"><a href="javascript:{js}">inner</a></a>',
    '<noscript><p title="</noscript><img src=x onerror={js}>">',
    "<style><img src=x onerror={js}></style>",
    '<p title="</p><img src=x onerror={js}>">text</p>',
    "<template><img src=x onerror={js}></template>",
    "<select><style></select><img src=x onerror={js}></style>",
    # Entity and case tricks, attribute quote breaking.
    "&lt;script&gt;{js}&lt;/script&gt;",
    "&#60;img src=x onerror={js}&#62;",
    '" onmouseover="{js}" x="',
    "' onmouseover='{js}' x='",
    '"><img src=x onerror={js}>',
    "'><svg onload={js}>",
    # CSS.
    '<div style="background:url(javascript:{js})">css</div>',
    '<span style="x:expression({js})">old IE</span>',
    "<style>@import 'javascript:{js}';</style>",
    '<link rel="stylesheet" href="javascript:{js}">',
    # Frames, objects, forms and redirects.
    '<iframe src="javascript:{js}"></iframe>',
    '<iframe srcdoc="<script>{js}</script>"></iframe>',
    '<object data="javascript:{js}"></object>',
    '<embed src="javascript:{js}">',
    '<form action="javascript:{js}"><button>go</button></form>',
    '<button formaction="javascript:{js}">go</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:{js}">',
    '<base href="javascript:{js}//">',
]


def payloads(js: str = "alert(1)") -> list[str]:
    """The corpus with `js` as the code that must never run."""
    return [template.replace("{js}", js) for template in HOSTILE_TEMPLATES]
