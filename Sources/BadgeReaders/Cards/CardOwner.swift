// Whose badge a reading is, from the cards on file: exact for full readings; by the low 24 bits for a Wiegand 26
// reading, which never sees a card's top byte.
import CounterCore

/// The owner of a reading among the cards on file.
public enum CardOwner: Sendable, Equatable {
    /// One person holds the card.
    case staff(String)
    /// Nobody: an unknown card.
    case nobody
    /// A Wiegand 26 reading whose low 24 bits belong to the cards of several people: the reader cannot tell them apart.
    case ambiguous([String])
}

extension CardNumber {
    /// Who holds this card, given every person's cards in canonical text (`0012345678`).
    ///
    /// A full reading matches its canonical text exactly. A Wiegand 26 reading (24 significant bits) matches every card
    /// on file whose low 24 bits are its own (a card given in Wiegand form among them): the full number printed on the
    /// card (and typed into the staff list) is found by a Wiegand 26 reader too, and when the cards of two people share
    /// the low 24 bits the answer is ``CardOwner/ambiguous(_:)``, never a guess.
    public func owner(among cards: [String: [String]]) -> CardOwner {
        let text = canonical
        let people = cards.filter { _, held in
            held.contains { stored in
                if stored == text { return true }
                // A Wiegand 26 reading: the low 24 bits of every card on file, exact matches among them.
                guard significantBits == 24, case .success(let id) = CardNumberText.id(decimal: stored) else { return false }
                return matches(CardNumber(id))
            }
        }.map(\.key).sorted()
        switch people.count {
        case 0: return .nobody
        case 1: return .staff(people[0])
        default: return .ambiguous(people)
        }
    }
}
