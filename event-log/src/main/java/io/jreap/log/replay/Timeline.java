package io.jreap.log.replay;

import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.format.Snapshot;
import io.jreap.log.model.TreeModel;
import io.jreap.log.replay.LogRecord.SnapshotRecord;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a timeline of one or more logs as ONE self-contained HTML file: inline SVG, CSS and
 * JavaScript, no network, no external fonts. LWPs are lanes over time (forked → exited, red once a
 * terminating signal was sent, dashed while a zombie), with fork connectors (parent → child, within
 * a group), signal and exit ticks, and each kill as a band from KILL_BEGIN to KILL_END labelled
 * "kill …".
 *
 * <p>Readable at 10,000 LWPs: lanes are grouped by log, sandbox and process group; each group has a
 * header row with a density curve (LWPs alive over time) and collapses on a click; groups of more
 * than {@value #COLLAPSE_ABOVE} lanes start collapsed. Time zooms with the mouse wheel, buttons or
 * a range form; the command's --from/--to bound the range written.
 *
 * <p>For machine checks: every lane is {@code <g class="lane" data-pid=… data-log=…>} (one per
 * LWP other than init that was alive in the range), every kill is {@code <g class="kill">}.
 */
public final class Timeline {
    /** Groups with more lanes than this start collapsed (their density row stays). */
    public static final int COLLAPSE_ABOVE = 200;
    private static final double W = 1200;
    private static final int LEFT = 190;
    private static final int HEAD = 18;
    private static final int GAP = 6;
    private static final int TOP = 46;
    private static final int BUCKETS = 300;

    private Timeline() {
    }

    /** One LWP's life as the log tells it. */
    static final class Lane {
        final WriterLog log;
        final long pid;
        long ppid;
        long pgid;
        String sandbox;
        long start;
        long killAt = Long.MIN_VALUE;
        int killSignal;
        long exitAt = Long.MIN_VALUE;
        int exitSignal;
        int exitStatus;
        long reapAt = Long.MIN_VALUE;
        final List<long[]> signals = new ArrayList<>(0); // {time, signal, terminate?1:0}
        double y;

        Lane(WriterLog log, long pid, long start) {
            this.log = log;
            this.pid = pid;
            this.start = start;
        }

        long end(long logEnd) {
            return reapAt != Long.MIN_VALUE ? reapAt : exitAt != Long.MIN_VALUE ? exitAt : logEnd;
        }
    }

    /** Lanes of one log, sandbox and process group. */
    static final class Group {
        final String label;
        final List<Lane> lanes = new ArrayList<>();
        double pitch;

        Group(String label) {
            this.label = label;
        }
    }

    /**
     * Writes the timeline of {@code set} between {@code from} and {@code to} (null: the log's start
     * and end) to {@code file}.
     *
     * @return how many lanes were written
     */
    public static int write(LogSet set, Point from, Point to, Path file) throws IOException, BadArgumentException {
        long t0 = from == null ? set.startNanos() : timeOf(set, from, true);
        long t1 = to == null ? set.endNanos() : timeOf(set, to, false);
        if (t1 < t0) {
            throw new BadArgumentException("--to (" + to + ") lies before --from (" + from + "): give a later --to.");
        }
        long span = Math.max(t1 - t0, 1_000_000L);
        Map<String, Group> groups = new LinkedHashMap<>();
        List<Kill> kills = new ArrayList<>();
        int laneCount = 0;
        for (WriterLog log : set.logs()) {
            Item lastEvent = log.lastEvent();
            long logEnd = lastEvent == null ? t1 : lastEvent.epochNanos();
            for (Lane l : lanes(log)) {
                if (l.start > t1 || l.end(logEnd) < t0) {
                    continue;
                }
                String key = (set.several() ? "[" + log.label() + "] " : "")
                        + (l.sandbox == null ? Stats.HOST : l.sandbox) + " · pgid " + l.pgid;
                groups.computeIfAbsent(key, Group::new).lanes.add(l);
                laneCount++;
            }
            for (Kill k : Kill.find(log)) {
                long end = k.end() == null ? logEnd : k.end().epochNanos();
                if (k.begin().epochNanos() <= t1 && end >= t0) {
                    kills.add(k);
                }
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            new Html(w, set, t0, span, t1).write(new ArrayList<>(groups.values()), kills, laneCount);
        }
        return laneCount;
    }

    private static long timeOf(LogSet set, Point p, boolean from) {
        if (!p.isSeq()) {
            return p.epochNanos();
        }
        // A sequence number: the time of that event in the first log that has it.
        for (WriterLog l : set.logs()) {
            for (Item it : l.items()) {
                if (it.event() != null && it.event().seq() == p.seqNumber()) {
                    return it.epochNanos();
                }
            }
        }
        return from ? set.startNanos() : set.endNanos();
    }

    /** The lanes of one log, in pid order (pids are allocated in birth order). */
    static List<Lane> lanes(WriterLog log) {
        Map<Long, Lane> lanes = new LinkedHashMap<>();
        Map<Long, String> sandboxOf = new java.util.HashMap<>();
        for (Item it : log.items()) {
            if (it.record() instanceof SnapshotRecord s) {
                for (Snapshot.Node n : s.snapshot().nodes()) {
                    if (n.pid() != TreeModel.INIT && !lanes.containsKey(n.pid())) {
                        Lane l = new Lane(log, n.pid(), it.epochNanos());
                        l.ppid = n.ppid();
                        l.pgid = n.pgid();
                        l.sandbox = n.sandbox();
                        lanes.put(n.pid(), l);
                        sandboxOf.put(n.pid(), n.sandbox());
                    }
                }
                continue;
            }
            LogEvent e = it.event();
            if (e == null || e.type() == null) {
                continue;
            }
            long t = it.epochNanos();
            if (e.type() == EventType.FORK || e.type() == EventType.SANDBOX && !"closed".equals(e.detail())) {
                Lane l = new Lane(log, e.pid(), t);
                l.ppid = e.type() == EventType.FORK ? e.ppid() : TreeModel.INIT;
                l.pgid = e.type() == EventType.FORK ? e.pgid() : e.pid();
                l.sandbox = e.type() == EventType.FORK ? sandboxOf.get(e.ppid()) : e.detail();
                sandboxOf.put(e.pid(), l.sandbox);
                lanes.put(e.pid(), l);
                continue;
            }
            Lane l = lanes.get(e.pid());
            if (l == null) {
                continue; // init, or a pid the log never introduced (check reports that)
            }
            if (e.pgid() != 0 && e.type() != EventType.REAP) {
                l.pgid = e.pgid();
            }
            switch (e.type()) {
                case SIGNAL_SENT -> {
                    boolean term = "terminate".equals(e.detail());
                    l.signals.add(new long[] {t, e.signal(), term ? 1 : 0});
                    if (term && l.killAt == Long.MIN_VALUE) {
                        l.killAt = t;
                        l.killSignal = e.signal();
                    }
                }
                case EXIT -> {
                    l.exitAt = t;
                    l.exitSignal = e.signal();
                    l.exitStatus = e.status();
                }
                case REAP, FORK_FAILED -> l.reapAt = t;
                default -> {
                }
            }
        }
        List<Lane> out = new ArrayList<>(lanes.values());
        out.sort((a, b) -> Long.compare(a.pid, b.pid));
        return out;
    }

    /** The HTML writer; x positions are in plot units (0..W over the range), rounded to 0.01. */
    private static final class Html {
        private final Writer w;
        private final LogSet set;
        private final long t0;
        private final long span;
        private final long t1;

        Html(Writer w, LogSet set, long t0, long span, long t1) {
            this.w = w;
            this.set = set;
            this.t0 = t0;
            this.span = span;
            this.t1 = t1;
        }

        private String x(long t) {
            double v = Math.max(-1, Math.min(W + 1, (t - t0) * W / span));
            return String.format(Locale.ROOT, "%.2f", v);
        }

        void write(List<Group> groups, List<Kill> kills, int laneCount) throws IOException {
            String title = "jreap timeline: " + labels();
            w.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + esc(title) + "</title>\n");
            w.write("<style>" + CSS + "</style></head>\n<body>\n");
            w.write("<header><h1>" + esc(title) + "</h1><p class=\"summary\">" + laneCount + " LWPs in " + groups.size()
                    + " groups, " + kills.size() + " kills; " + esc(Times.localDay(t0)) + " to " + esc(Times.localDay(t1))
                    + " (" + esc(Times.duration(t1 - t0)) + ")</p>\n");
            w.write("<div class=\"controls\"><button id=\"zin\">zoom in</button> <button id=\"zout\">zoom out</button> "
                    + "<button id=\"zreset\">whole range</button> from +<input id=\"rfrom\" size=\"7\" value=\"0\">s to +"
                    + "<input id=\"rto\" size=\"7\" value=\"" + String.format(Locale.ROOT, "%.6f", span / 1e9)
                    + "\">s <button id=\"zrange\">zoom to range</button> <button id=\"expand\">expand all</button> "
                    + "<button id=\"collapse\">collapse all</button> <span class=\"hint\">wheel: zoom, drag: pan, click a"
                    + " group's row: show or hide its lanes</span></div>\n");
            w.write("<p class=\"legend\"><span class=\"k run\">running</span> <span class=\"k dying\">terminating signal"
                    + " sent</span> <span class=\"k zombie\">zombie</span> <span class=\"k exitk\">| exit</span> <span"
                    + " class=\"k sigk\">| signal</span> <span class=\"k forkk\">| fork</span> <span class=\"k killk\">kill"
                    + " (KILL_BEGIN to KILL_END)</span></p></header>\n");
            w.write("<svg id=\"tl\" width=\"" + (int) (LEFT + W + 10)
                    + "\" height=\"400\" data-span-ns=\"" + span + "\" data-left=\"" + LEFT + "\" data-width=\"" + (int) W
                    + "\">\n<defs><clipPath id=\"clip\" clipPathUnits=\"userSpaceOnUse\"><rect x=\"0\" y=\"-5\" width=\""
                    + (int) W + "\" height=\"10000000\"/></clipPath></defs>\n<g id=\"axis\" transform=\"translate(" + LEFT
                    + ",0)\"></g>\n<g id=\"groups\">\n");
            for (Group g : groups) {
                group(g);
            }
            w.write("</g>\n<g id=\"killLayer\" transform=\"translate(" + LEFT + "," + TOP
                    + ")\"><g clip-path=\"url(#clip)\"><g class=\"zoom\">\n");
            for (Kill k : kills) {
                kill(k);
            }
            // Labels stay outside the zoomed layer: the script places them at their kill's zoomed x.
            w.write("</g></g></g>\n<g id=\"killLabels\"></g>\n</svg>\n<script>" + JS + "</script>\n</body></html>\n");
        }

        private String labels() {
            List<String> l = new ArrayList<>();
            for (WriterLog log : set.logs()) {
                l.add(log.label());
            }
            return String.join(", ", l);
        }

        private void group(Group g) throws IOException {
            int n = g.lanes.size();
            g.pitch = n <= 100 ? 12 : n <= 1000 ? 5 : 3;
            boolean collapsed = n > COLLAPSE_ABOVE;
            w.write("<g class=\"group" + (collapsed ? " collapsed" : "") + "\" data-lanes=\"" + n + "\" data-pitch=\""
                    + (int) g.pitch + "\">\n<g class=\"ghead\"><rect class=\"gbg\" x=\"0\" y=\"0\" width=\""
                    + (int) (LEFT + W) + "\" height=\"" + HEAD + "\"/><text class=\"glabel\" x=\"4\" y=\"13\">"
                    + (collapsed ? "▸ " : "▾ ") + esc(g.label) + " · " + n + " LWP" + (n == 1 ? "" : "s")
                    + "</text><g transform=\"translate(" + LEFT + ",0)\"><g clip-path=\"url(#clip)\"><g class=\"zoom\">"
                    + "<path class=\"density\" d=\"" + density(g) + "\"/></g></g></g></g>\n");
            w.write("<g class=\"lanes\" transform=\"translate(0," + HEAD + ")\">\n");
            Map<Long, Lane> byPid = new java.util.HashMap<>();
            for (int i = 0; i < n; i++) {
                Lane l = g.lanes.get(i);
                l.y = i * g.pitch + g.pitch / 2;
                byPid.put(l.pid, l);
            }
            boolean labels = g.pitch >= 12;
            StringBuilder forks = new StringBuilder();
            for (Lane l : g.lanes) {
                lane(l, labels);
                Lane parent = byPid.get(l.ppid);
                if (parent != null && l.start >= t0) {
                    forks.append("<line class=\"fork\" x1=\"").append(x(l.start)).append("\" x2=\"").append(x(l.start))
                            .append("\" y1=\"").append(fmt(parent.y)).append("\" y2=\"").append(fmt(l.y)).append("\"/>\n");
                }
            }
            w.write("<g transform=\"translate(" + LEFT + ",0)\"><g clip-path=\"url(#clip)\"><g class=\"zoom\">\n");
            w.write(forks.toString());
            w.write("</g></g></g>\n</g></g>\n");
        }

        private void lane(Lane l, boolean label) throws IOException {
            Item last = l.log.lastEvent();
            long logEnd = last == null ? t1 : last.epochNanos();
            long exit = l.exitAt != Long.MIN_VALUE ? l.exitAt : logEnd;
            StringBuilder b = new StringBuilder(320);
            b.append("<g class=\"lane\" data-pid=\"").append(l.pid).append("\" data-log=\"").append(l.log.number())
                    .append("\" transform=\"translate(0,").append(fmt(l.y)).append(")\"><title>").append(esc(title(l)))
                    .append("</title>");
            if (label) {
                b.append("<text class=\"pid\" x=\"").append(LEFT - 4).append("\" y=\"4\">").append(l.pid).append("</text>");
            }
            b.append("<g transform=\"translate(").append(LEFT).append(",0)\"><g clip-path=\"url(#clip)\"><g class=\"zoom\">");
            long dyingFrom = l.killAt != Long.MIN_VALUE ? Math.min(l.killAt, exit) : exit;
            seg(b, "run", l.start, dyingFrom);
            if (dyingFrom < exit) {
                seg(b, "dying", dyingFrom, exit);
            }
            if (l.exitAt != Long.MIN_VALUE) {
                seg(b, "zombie", l.exitAt, l.reapAt != Long.MIN_VALUE ? l.reapAt : logEnd);
                tick(b, "exit", l.exitAt, 4);
            }
            for (long[] s : l.signals) {
                tick(b, s[2] == 1 ? "signal term" : "signal", s[0], 3);
            }
            b.append("</g></g></g></g>\n");
            w.write(b.toString());
        }

        private void seg(StringBuilder b, String cls, long from, long to) {
            if (to < t0 || from > t1 || to <= from && !cls.equals("run")) {
                return;
            }
            b.append("<line class=\"").append(cls).append("\" x1=\"").append(x(from)).append("\" x2=\"").append(x(to))
                    .append("\" y1=\"0\" y2=\"0\"/>");
        }

        private void tick(StringBuilder b, String cls, long t, int h) {
            if (t < t0 || t > t1) {
                return;
            }
            b.append("<line class=\"").append(cls).append("\" x1=\"").append(x(t)).append("\" x2=\"").append(x(t))
                    .append("\" y1=\"-").append(h).append("\" y2=\"").append(h).append("\"/>");
        }

        private String title(Lane l) {
            StringBuilder b = new StringBuilder(160).append("pid ").append(l.pid).append(", parent ").append(l.ppid)
                    .append(", pgid ").append(l.pgid);
            if (l.sandbox != null) {
                b.append(", sandbox ").append(l.sandbox);
            }
            b.append("\nforked ").append(Times.local(l.start));
            if (l.killAt != Long.MIN_VALUE) {
                b.append("\n").append(Signals.name(l.killSignal)).append(" sent ").append(Times.local(l.killAt));
            }
            if (l.exitAt != Long.MIN_VALUE) {
                b.append("\nexited ").append(Times.local(l.exitAt)).append(l.exitSignal != 0
                        ? " (killed by " + Signals.name(l.exitSignal) + ")" : " (status " + l.exitStatus + ")");
            }
            if (l.reapAt != Long.MIN_VALUE) {
                b.append("\nreaped ").append(Times.local(l.reapAt));
            }
            return b.toString();
        }

        private void kill(Kill k) throws IOException {
            Item last = k.begin().log().lastEvent();
            long end = k.end() == null ? last.epochNanos() : k.end().epochNanos();
            long b = k.begin().epochNanos();
            String label = "kill " + k.label() + (set.several() ? " [" + k.begin().log().label() + "]" : "");
            w.write("<g class=\"kill\" data-seq=\"" + k.begin().event().seq() + "\" data-log=\"" + k.begin().log().number()
                    + "\" data-x=\"" + x(b) + "\" data-label=\"" + esc(label) + "\"><title>" + esc(label + "\nbegan "
                    + Times.local(b) + ", ended " + (k.end() == null ? "not in the log" : Times.local(end)) + " ("
                    + Times.duration(end - b) + ")") + "</title><rect x=\"" + x(b) + "\" y=\"0\" width=\""
                    + String.format(Locale.ROOT, "%.3f", Math.max(0, (end - b) * W / span)) + "\" height=\"10000000\"/>"
                    + "<line x1=\"" + x(b) + "\" x2=\"" + x(b) + "\" y1=\"0\" y2=\"10000000\"/></g>\n");
        }

        /** LWPs alive over time in BUCKETS steps, as an area path 0..HEAD-2 high. */
        private String density(Group g) {
            long[] diff = new long[BUCKETS + 1];
            for (Lane l : g.lanes) {
                Item last = l.log.lastEvent();
                long end = l.exitAt != Long.MIN_VALUE ? l.exitAt : last == null ? t1 : last.epochNanos();
                int a = bucket(l.start);
                int z = bucket(end);
                diff[a]++;
                diff[Math.min(BUCKETS, z + 1)]--;
            }
            long max = 1;
            long[] alive = new long[BUCKETS];
            long run = 0;
            for (int i = 0; i < BUCKETS; i++) {
                run += diff[i];
                alive[i] = run;
                max = Math.max(max, run);
            }
            StringBuilder d = new StringBuilder(BUCKETS * 16).append("M0,").append(HEAD - 1);
            double step = W / BUCKETS;
            for (int i = 0; i < BUCKETS; i++) {
                double h = (HEAD - 3) * alive[i] / (double) max;
                String y = fmt(HEAD - 1 - h);
                d.append(" L").append(fmt(i * step)).append(',').append(y).append(" L").append(fmt((i + 1) * step))
                        .append(',').append(y);
            }
            return d.append(" L").append(fmt(W)).append(',').append(HEAD - 1).append(" Z").toString();
        }

        private int bucket(long t) {
            return (int) Math.max(0, Math.min(BUCKETS - 1, (t - t0) * BUCKETS / span));
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Escapes text for HTML and SVG text and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body{font-family:sans-serif;margin:8px;color:#222;background:#fff}
            h1{font-size:16px;margin:4px 0}
            .summary,.legend,.controls{font-size:12px;margin:4px 0}
            .hint{color:#777}
            .k{display:inline-block;margin-right:10px}
            .k.run{border-bottom:3px solid #3a8a55}.k.dying{border-bottom:3px solid #d62728}
            .k.zombie{border-bottom:3px dashed #999}.k.exitk{color:#000}.k.sigk{color:#e08000}.k.forkk{color:#7a7ac0}
            .k.killk{background:rgba(214,39,40,.18);padding:0 4px}
            svg{display:block;user-select:none;cursor:grab}
            text{font-size:10px;font-family:sans-serif}
            .glabel{font-size:11px;font-weight:bold;cursor:pointer}
            .ghead{cursor:pointer}
            .gbg{fill:#f0f0f4}
            .density{fill:#9ab;stroke:none}
            .pid{text-anchor:end;fill:#555;font-size:9px}
            .zoom line,.zoom path{vector-effect:non-scaling-stroke}
            line.run{stroke:#3a8a55;stroke-width:2}
            line.dying{stroke:#d62728;stroke-width:2}
            line.zombie{stroke:#999;stroke-width:1;stroke-dasharray:3 2}
            line.exit{stroke:#000;stroke-width:1}
            line.signal{stroke:#e08000;stroke-width:1}
            line.signal.term{stroke:#d62728}
            line.fork{stroke:#7a7ac0;stroke-width:1;opacity:.6}
            .kill rect{fill:rgba(214,39,40,.18)}
            .kill line{stroke:#d62728;stroke-width:1.5}
            .kill-label{fill:#b00;font-size:11px;font-weight:bold}
            .tick{stroke:#ccc}
            .ticklabel{fill:#555;font-size:10px;text-anchor:middle}
            .collapsed .lanes{display:none}
            """;

    private static final String JS = """
            (function(){
            var svg=document.getElementById('tl'),NS=svg.namespaceURI;
            var L=+svg.getAttribute('data-left'),W=+svg.getAttribute('data-width'),SPAN=+svg.getAttribute('data-span-ns');
            var TOP=%d,HEAD=%d,GAP=%d,k=1,tx=0;
            var groups=Array.prototype.slice.call(document.querySelectorAll('#groups > .group'));
            function layout(){
              var y=TOP;
              groups.forEach(function(g){
                g.setAttribute('transform','translate(0,'+y+')');
                var n=+g.getAttribute('data-lanes'),p=+g.getAttribute('data-pitch');
                y+=HEAD+GAP+(g.classList.contains('collapsed')?0:n*p);
                var t=g.querySelector('.glabel');t.textContent=(g.classList.contains('collapsed')?'\\u25b8':'\\u25be')+t.textContent.slice(1);
              });
              svg.setAttribute('height',Math.max(y+10,120));
            }
            function fmt(s){var a=Math.abs(s);return a>=1?s.toFixed(3)+' s':a>=1e-3?(s*1e3).toFixed(3)+' ms':(s*1e6).toFixed(1)+' us';}
            function axis(){
              var ax=document.getElementById('axis');while(ax.firstChild)ax.removeChild(ax.firstChild);
              var t0=(-tx/k)/W*SPAN/1e9,t1=((W-tx)/k)/W*SPAN/1e9,raw=(t1-t0)/8,mag=Math.pow(10,Math.floor(Math.log10(raw)));
              var step=[1,2,5,10].map(function(m){return m*mag;}).filter(function(s){return s>=raw;})[0];
              for(var t=Math.ceil(t0/step)*step;t<=t1+1e-12;t+=step){
                var x=t*1e9/SPAN*W*k+tx;
                var l=document.createElementNS(NS,'line');
                l.setAttribute('class','tick');l.setAttribute('x1',x);l.setAttribute('x2',x);l.setAttribute('y1',20);l.setAttribute('y2',svg.getAttribute('height'));ax.appendChild(l);
                var s=document.createElementNS(NS,'text');
                s.setAttribute('class','ticklabel');s.setAttribute('x',x);s.setAttribute('y',14);s.textContent='+'+fmt(t);ax.appendChild(s);
              }
            }
            function labels(){
              var kl=document.getElementById('killLabels');while(kl.firstChild)kl.removeChild(kl.firstChild);
              var row=0;
              document.querySelectorAll('.kill').forEach(function(g){
                var x=+g.getAttribute('data-x')*k+tx;if(x<-5||x>W+5)return;
                var s=document.createElementNS(NS,'text');
                s.setAttribute('class','kill-label');s.setAttribute('x',x+3);s.setAttribute('y',-4-12*(row++%%2));
                s.textContent=g.getAttribute('data-label');kl.appendChild(s);
                if(x+3+s.getComputedTextLength()>W){s.setAttribute('x',x-3);s.setAttribute('text-anchor','end');}
              });
            }
            function apply(){
              k=Math.max(1,Math.min(k,1e7));tx=Math.min(0,Math.max(W-k*W,tx));
              var m='matrix('+k+',0,0,1,'+tx+',0)';
              document.querySelectorAll('.zoom').forEach(function(g){g.setAttribute('transform',m);});
              axis();labels();
            }
            function zoomAt(f,mx){var nk=Math.max(1,Math.min(k*f,1e7));tx=mx-(mx-tx)*(nk/k);k=nk;apply();}
            svg.addEventListener('wheel',function(e){e.preventDefault();var r=svg.getBoundingClientRect();zoomAt(e.deltaY<0?1.25:0.8,e.clientX-r.left-L);},{passive:false});
            var drag=null;
            svg.addEventListener('mousedown',function(e){drag={x:e.clientX,tx:tx,moved:false};});
            window.addEventListener('mousemove',function(e){if(!drag)return;var dx=e.clientX-drag.x;if(Math.abs(dx)>2)drag.moved=true;tx=drag.tx+dx;apply();});
            window.addEventListener('mouseup',function(){setTimeout(function(){drag=null;},0);});
            groups.forEach(function(g){g.querySelector('.ghead').addEventListener('click',function(){if(drag&&drag.moved)return;g.classList.toggle('collapsed');layout();axis();});});
            document.getElementById('zin').onclick=function(){zoomAt(2,W/2);};
            document.getElementById('zout').onclick=function(){zoomAt(0.5,W/2);};
            document.getElementById('zreset').onclick=function(){k=1;tx=0;apply();};
            document.getElementById('zrange').onclick=function(){
              var a=parseFloat(document.getElementById('rfrom').value),b=parseFloat(document.getElementById('rto').value);
              if(!(b>a))return;var xa=a*1e9/SPAN*W,xb=b*1e9/SPAN*W;k=W/Math.max(xb-xa,1e-9);tx=-xa*k;apply();};
            document.getElementById('expand').onclick=function(){groups.forEach(function(g){g.classList.remove('collapsed');});layout();axis();};
            document.getElementById('collapse').onclick=function(){groups.forEach(function(g){g.classList.add('collapsed');});layout();axis();};
            document.getElementById('killLabels').setAttribute('transform','translate('+L+','+TOP+')');
            layout();apply();
            })();
            """.formatted(TOP, HEAD, GAP);
}
