package io.aperture.tools;

import io.aperture.inspect.ChannelSnapshot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code aperture list}: every channel of the directory, one line each. */
@Command(name = "list", mixinStandardHelpOptions = true,
    header = "Lists every channel in the directory.",
    description = "Lists every channel in the section directory: codec, ring size (capacity / slot length), publisher "
        + "pid and whether it is alive, terminal state, subscriber count, messages published. A ring or "
        + "subscriber section that cannot be read is reported in the NOTE column (JSON: problem).")
final class ListCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ChannelSnapshot> channels = common.inspector().list();
        if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("directory", common.directory().toString());
            List<Object> list = new ArrayList<>();
            channels.forEach(c -> list.add(Describe.channel(c)));
            m.put("channels", list);
            out.println(Json.write(m));
            out.flush();
            return 0;
        }
        if (channels.isEmpty()) {
            out.println("no channels in " + common.directory());
            out.flush();
            return 0;
        }
        Table table = new Table("CHANNEL", "CODEC", "RING", "PUBLISHER", "STATE", "SUBSCRIBERS", "PUBLISHED", "NOTE");
        for (ChannelSnapshot c : channels) {
            table.row(c.channel(), Describe.dash(c.codecName()), Describe.ring(c), Describe.publisher(c),
                Describe.dash(c.terminalState()), c.subscribers().size(), c.readable() ? c.publishedExact() : "-",
                note(c));
        }
        table.print(out);
        out.flush();
        return 0;
    }

    static String note(ChannelSnapshot c) {
        if (c.problem() != null) {
            return c.problem();
        }
        return c.subscribers().stream().filter(s -> s.problem() != null).findFirst()
            .map(s -> s.file().getFileName() + ": " + s.problem()).orElse("");
    }
}
