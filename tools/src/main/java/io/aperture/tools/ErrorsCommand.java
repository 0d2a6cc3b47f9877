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

/** {@code aperture errors}: the channels that ended with an error, and their error records. */
@Command(name = "errors", mixinStandardHelpOptions = true,
    header = "Shows the channels that ended with an error, and their errors.",
    description = "Shows the terminal state and the decoded error record (exception class and message) of each channel "
        + "that ended with an error.")
final class ErrorsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ChannelSnapshot> errored = new ArrayList<>();
        for (ChannelSnapshot c : common.inspector().list()) {
            if ("ERRORED".equals(c.terminalState())) {
                errored.add(c);
            }
        }
        if (common.json) {
            List<Object> list = new ArrayList<>();
            for (ChannelSnapshot c : errored) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("channel", c.channel());
                m.put("terminalState", c.terminalState());
                m.put("error", Describe.error(c.error()));
                m.put("problem", c.problem());
                m.put("publisherPid", c.publisherPid());
                m.put("publisherAlive", c.publisherAlive());
                list.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("directory", common.directory().toString());
            m.put("channels", list);
            out.println(Json.write(m));
        } else if (errored.isEmpty()) {
            out.println("no channel in " + common.directory() + " ended with an error");
        } else {
            Table table = new Table("CHANNEL", "STATE", "ERROR");
            for (ChannelSnapshot c : errored) {
                table.row(c.channel(), c.terminalState(), c.error() != null ? c.error().toString()
                    : "error record unreadable: " + c.problem());
            }
            table.print(out);
        }
        out.flush();
        return 0;
    }
}
