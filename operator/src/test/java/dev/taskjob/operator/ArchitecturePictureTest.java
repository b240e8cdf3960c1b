package dev.taskjob.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** docs/architecture.svg is well-formed SVG, shown by docs/architecture.md, and names what the text picture names. */
class ArchitecturePictureTest {

  private static final Path DOCS = Path.of("..", "docs");

  @Test
  void pictureShowsThePartsTheTextNames() throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document svg = factory.newDocumentBuilder().parse(DOCS.resolve("architecture.svg").toFile());
    NodeList texts = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < texts.getLength(); i++) {
      labels.add(texts.item(i).getTextContent());
    }
    String picture = String.join(" ", labels).replaceAll("\\s+", " ");
    String text = Files.readString(DOCS.resolve("architecture.md"));

    assertThat(svg.getDocumentElement().getLocalName()).isEqualTo("svg");
    assertThat(text).contains("](architecture.svg)");
    for (String part : List.of("kubectl apply", "TaskJob", "InstancePool", "VMs (or local processes)",
        "one worker supervisor each,", "N task processes at a time", "task queue", "event queue",
        "a bitmap of finished task indexes", "drains when every task is final: pool to 0, queues deleted, phase Succeeded/Failed")) {
      assertThat(picture).as("the picture").contains(part);
      assertThat(text).as("the text picture").contains(part);
    }
  }
}
