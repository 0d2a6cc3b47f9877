package io.aperture.tools;

import io.aperture.inspect.ChannelInspector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code aperture clean}: removes the sections of channels whose every owner is dead. */
@Command(name = "clean", mixinStandardHelpOptions = true,
    header = "Removes the sections of channels whose every owner is dead.",
    description = "Removes the section files of channels whose every owner (the publisher and each subscriber) is "
        + "proved dead: its liveness lock on its file is free, or no process with its pid and start time runs "
        + "(a reused pid is not taken for alive). A channel with a live owner, or an owner that cannot be read, "
        + "is never removed.")
final class CleanCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--dry-run", description = "Show what would be removed; remove nothing.")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ChannelInspector.CleanDecision> decisions = common.inspector().clean(dryRun);
        if (common.json) {
            List<Object> list = new ArrayList<>();
            for (ChannelInspector.CleanDecision d : decisions) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("channel", d.channel());
                m.put("remove", d.remove());
                m.put("removed", d.removed());
                m.put("reason", d.reason());
                m.put("files", d.files().stream().map(Path::toString).collect(Collectors.toList()));
                list.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("directory", common.directory().toString());
            m.put("dryRun", dryRun);
            m.put("channels", list);
            out.println(Json.write(m));
        } else if (decisions.isEmpty()) {
            out.println("no channels in " + common.directory());
        } else {
            for (ChannelInspector.CleanDecision d : decisions) {
                String files = d.files().stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(" "));
                String verb = !d.remove() ? "kept" : dryRun ? "would remove" : "removed";
                out.println(verb + " " + d.channel() + " (" + d.reason() + ")" + (d.remove() ? ": " + files : ""));
            }
        }
        out.flush();
        return 0;
    }
}
